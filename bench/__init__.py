"""Benchmarks that print figures (events/s, routing latency); nothing here asserts speed."""
