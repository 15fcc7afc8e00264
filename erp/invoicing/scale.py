"""seed-scale --invoices N."""
