"""Gapless document numbers (Odoo's no_gap): a row locked inside the caller's transaction."""
