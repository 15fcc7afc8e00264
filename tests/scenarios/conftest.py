"""The scenarios use the sales fixtures (`shop`: a customer, products with stock)."""
from tests.sales.conftest import shop  # noqa: F401
