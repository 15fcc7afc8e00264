"""seed-demo: supplier prices and purchase orders in every state, so each purchasing page has
something to show: a request for quotation (draft), an order on its way, a late one, one
partly received (its chairs reserved at once for the sales order waiting for them), one
received, billed and partly paid, and one cancelled."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from erp.invoicing import payments as payment_services
from erp.invoicing import services as invoicing_services
from erp.purchasing import services
from shared.dates import company_today
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.users.models import User

# sku, supplier, supplier sku, price, min qty, lead time days
PRICES = [
    ("LAMP-DESK-01", "宁波海天塑料制品厂", "HT-LAMP-01", "90.0000", 1, 10),
    ("LAMP-DESK-01", "宁波海天塑料制品厂", "HT-LAMP-01", "86.5000", 100, 10),
    ("BOX-STOR-M", "宁波海天塑料制品厂", "HT-BOX-M", "20.5000", 1, 7),
    ("CHAIR-ERG-02", "苏州精工五金有限公司", "JG-CH-ERG2", "615.0000", 1, 14),
    ("SHELF-STEEL-5", "苏州精工五金有限公司", "JG-SH-5T", "238.0000", 1, 14),
    ("PAPER-A4-500", "Nordic Paper AB", "NP-A4-80G", "17.9000", 1, 21),
    ("PEN-GEL-BK12", "义乌小商品供应链 Yiwu Supply Chain", "YW-PEN-12", "9.2500", 1, 5),
    ("MUG-CER-350", "义乌小商品供应链 Yiwu Supply Chain", "YW-MUG-350", "10.6000", 1, 5),
    ("KETTLE-17", "义乌小商品供应链 Yiwu Supply Chain", "YW-KT-17", "74.0000", 1, 5),
]

# supplier, days ago, [(sku, quantity)], supplier reference, what happens next
ORDERS = [
    ("Nordic Paper AB", 40, [("PAPER-A4-500", 200)], "NP-Q-2210", "billed"),
    ("苏州精工五金有限公司", 9, [("CHAIR-ERG-02", 10), ("SHELF-STEEL-5", 4)], "JG-88102",
     "partial"),
    ("义乌小商品供应链 Yiwu Supply Chain", 20, [("PEN-GEL-BK12", 200), ("KETTLE-17", 20)],
     None, "late"),
    ("宁波海天塑料制品厂", 2, [("LAMP-DESK-01", 100), ("BOX-STOR-M", 60)], "HT-2026-031",
     "confirmed"),
    ("义乌小商品供应链 Yiwu Supply Chain", 0, [("MUG-CER-350", 150)], None, "draft"),
    ("宁波海天塑料制品厂", 15, [("BOX-STOR-M", 30)], None, "cancelled"),
]


def _user(email: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.email == email))


def seed_purchasing() -> None:
    names = {row[1] for row in PRICES} | {row[0] for row in ORDERS}
    suppliers = dict(db.session.execute(select(Partner.name, Partner.id)
                                        .where(Partner.name.in_(names))).all())
    products = dict(db.session.execute(select(Product.sku, Product.id)).all())
    if len(suppliers) < len(names) or not all(row[0] in products for row in PRICES):
        return  # not the platform's demo data
    buyer, warehouse = _user("finance@example.com"), _user("warehouse@example.com")
    for sku, supplier, supplier_sku, price, min_qty, lead in PRICES:
        services.create_supplier_price(products[sku], {
            "supplier_id": suppliers[supplier], "supplier_sku": supplier_sku, "price": price,
            "min_qty": min_qty, "lead_time_days": lead})
    today = company_today()
    for supplier, days_ago, items, reference, then in ORDERS:
        order = services.create_order({
            "supplier_id": suppliers[supplier], "order_date": today - timedelta(days=days_ago),
            "supplier_reference": reference,
            "lines": [{"product_id": products[sku], "quantity": qty} for sku, qty in items]},
            user_id=buyer)
        if then == "draft":
            continue
        if then == "cancelled":
            services.cancel_order(order.id, user_id=buyer)
            continue
        services.confirm_order(order.id, user_id=buyer)
        if then == "partial":  # 6 of the 10 chairs arrived
            chair = next(line for line in order.lines if line.product.sku == "CHAIR-ERG-02")
            services.receive_order(order.id, {"lines": [{"line_id": chair.id, "quantity": 6}]},
                                   user_id=warehouse)
        elif then == "billed":
            services.receive_order(order.id, user_id=warehouse)
            bill = services.bill_order(order.id, user_id=buyer)
            bill = invoicing_services.post_invoice(bill.id, user_id=buyer)
            payment_services.record_payment({
                "partner_id": suppliers[supplier], "amount": str(Decimal("2000.00")),
                "date": today.isoformat(), "method": "bank", "reference": "NP-Q-2210",
                "allocations": [{"invoice_id": bill.id, "amount": "2000.00"}]},
                user_id=buyer)
