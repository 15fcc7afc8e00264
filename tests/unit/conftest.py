"""Fixtures of other packages that some unit tests use."""
from tests.sales.conftest import sales, shop  # noqa: F401  (an order to confirm, for the audit trail)
