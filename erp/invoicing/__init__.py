"""Invoicing: customer invoices and credit notes, vendor bills and credit notes, payments,
AR aging and the invoice PDF (issue 5)."""
