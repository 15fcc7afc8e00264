"""Products: what is bought, stocked and sold."""
