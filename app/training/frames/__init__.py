"""Frames: what a session looks like at one moment, built within a time budget."""
