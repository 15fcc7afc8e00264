"""Partners: customers and suppliers in one record."""
