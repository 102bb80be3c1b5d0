"""Stepwise: a local desktop math tutor that checks its own work."""

__version__ = "0.1.0"
