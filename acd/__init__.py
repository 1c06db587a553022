"""The ACD: seats and agent states, the waiting queue, routing, ring timeouts, wrap-up,
and the live service-level figures computed from the stored call records."""
