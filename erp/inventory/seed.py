"""seed-demo: stock for the demo company: receipts, a second warehouse, a few deliveries and
a count, with some products left below their reorder point for the low-stock page."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from erp.inventory import counts, services
from erp.inventory.models import Location
from shared.extensions import db
from shared.products.models import Product
from shared.users.models import User

# sku -> units received into WH/Stock (the demo products of shared/seed.py)
RECEIPTS = {"LAMP-DESK-01": 60, "CHAIR-ERG-02": 4, "PAPER-A4-500": 600, "BOX-STOR-M": 150,
            "PEN-GEL-BK12": 40, "KETTLE-17": 35, "MUG-CER-350": 200, "SHELF-STEEL-5": 12,
            "TAPE-PACK-48": 300}
DELIVERIES = {"LAMP-DESK-01": 12, "PAPER-A4-500": 120, "MUG-CER-350": 36, "KETTLE-17": 6}
TRANSFERS = {"PAPER-A4-500": 100, "MUG-CER-350": 40}  # to the Shanghai warehouse


def seed_inventory() -> None:
    clerk = db.session.scalar(select(User.id).where(User.email == "warehouse@example.com"))
    stock = services.main_stock()
    suppliers = services.location_by_code("Suppliers")
    customers = services.location_by_code("Customers")
    shanghai = services.create_location({"code": "SH/Stock", "name": "上海仓 Shanghai warehouse"})
    db.session.add(Location(code="WH/Returns", name="退货区 Returns shelf", kind="internal"))
    products = {p.sku: p for p in db.session.scalars(select(Product))}

    def move(sku: str, qty: int, source, target, reference: str) -> None:
        services.book_move(products[sku], Decimal(qty), source, target, user_id=clerk,
                           reference=reference)

    for sku, qty in RECEIPTS.items():
        move(sku, qty, suppliers, stock, "PO-DEMO-001")
    for sku, qty in TRANSFERS.items():
        move(sku, qty, stock, shanghai, "TR-DEMO-001")
    for sku, qty in DELIVERIES.items():
        move(sku, qty, stock, customers, "DO-DEMO-001")
    counts.confirm_count({"location_id": stock.id, "lines": [
        {"sku": "BOX-STOR-M", "counted_qty": "147"}, {"sku": "SHELF-STEEL-5",
                                                     "counted_qty": "12"}]}, user_id=clerk)
