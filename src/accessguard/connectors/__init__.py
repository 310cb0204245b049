"""Connectors: one small module per platform behind one interface (list, revoke, check)."""
