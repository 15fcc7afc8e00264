"""Sales orders: quotations, confirmation with stock reservation and a credit check,
deliveries from WH/Stock to Customers, invoicing of what was delivered."""
