"""familyhub: early help case management for family hubs."""

__version__ = "0.1.0"
