"""The sales fixtures (`shop`, and a sales, warehouse and finance API client) for the CRM's
order-to-cash tests."""
from tests.sales.conftest import finance, sales, shop, warehouse  # noqa: F401
