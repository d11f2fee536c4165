"""Backprop Playground: a from-scratch NumPy MLP you can watch learn."""

__version__ = "0.1.0"
