"""Inventory: locations, double-entry stock moves, balances, counts and reorder."""
