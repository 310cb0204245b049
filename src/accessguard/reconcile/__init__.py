"""Platforms vs the inventory: ask each platform who holds access, store and audit the drift."""
