"""Everything that knows Asterisk: the AMI wire format and connection, raw messages ->
typed call facts, AMI actions, and the simulated Asterisk. Knows nothing of seats or
work orders."""
