"""The running session: its config, the session itself, its history, pins and probes."""
