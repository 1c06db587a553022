"""Recordings: where each call's MixMonitor WAV is, and (later) conversion, storage,
playback and retention."""
