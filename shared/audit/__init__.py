"""The audit trail: one SQLAlchemy hook records every change to a business table."""
