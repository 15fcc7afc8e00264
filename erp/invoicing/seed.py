"""seed-demo: invoices, bills, a credit note and payments for the demo company."""
