"""Inventory: people, accounts and grants, their services and importers."""
