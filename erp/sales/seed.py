"""seed-demo: quotations and orders for the demo customers, so every sales page has something
to show: two open quotations, an order waiting for chairs, one partially delivered, one
delivered and invoiced, and one reserved and waiting in the warehouse's queue."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from erp.invoicing import services as invoicing_services
from erp.sales import services
from shared.dates import company_today
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.users.models import User

# customer, days ago, [(sku, quantity)], customer reference, what happens next
DEMO_ORDERS = [
    ("Harbor Lights Retail Ltd", 21, [("LAMP-DESK-01", 5), ("SVC-WARRANTY-1Y", 5)], "HL-4471",
     "invoiced"),
    ("深圳华强科技股份公司", 12, [("SHELF-STEEL-5", 6), ("BOX-STOR-M", 20)], "HQ-PO-2026-118",
     "partial"),
    ("上海明辉电子有限公司", 6, [("CHAIR-ERG-02", 8), ("LAMP-DESK-01", 10)], None, "confirmed"),
    ("张伟", 2, [("MUG-CER-350", 6), ("KETTLE-17", 1)], None, "confirmed"),
    ("北京远航办公用品", 1, [("PEN-GEL-BK12", 30), ("PAPER-A4-500", 40)], None, "quotation"),
    ("Sunrise Hotels Singapore", 0, [("KETTLE-17", 10), ("MUG-CER-350", 60),
                                     ("SVC-INSTALL", 1)], "SH-PO-7781", "quotation"),
]


def _user(email: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.email == email))


def seed_sales() -> None:
    partners = dict(db.session.execute(select(Partner.name, Partner.id).where(
        Partner.name.in_([row[0] for row in DEMO_ORDERS]))).all())
    skus = {sku for row in DEMO_ORDERS for sku, _ in row[2]}
    products = dict(db.session.execute(select(Product.sku, Product.id)
                                       .where(Product.sku.in_(skus))).all())
    if len(products) < len(skus) or not partners:
        return  # not the platform's demo data
    sales, warehouse, finance = (_user(f"{role}@example.com")
                                 for role in ("sales", "warehouse", "finance"))
    today = company_today()
    for name, days_ago, items, reference, then in DEMO_ORDERS:
        if name not in partners:
            continue
        order = services.create_order({
            "partner_id": partners[name], "order_date": today - timedelta(days=days_ago),
            "customer_reference": reference,
            "lines": [{"product_id": products[sku], "quantity": qty} for sku, qty in items]},
            user_id=sales)
        if then == "quotation":
            continue
        services.confirm_order(order.id, user_id=sales)
        if then == "partial":
            shelf = next(line for line in order.lines if line.product.sku == "SHELF-STEEL-5")
            box = next(line for line in order.lines if line.product.sku == "BOX-STOR-M")
            services.deliver_order(order.id, {"lines": [
                {"line_id": shelf.id, "quantity": 4}, {"line_id": box.id, "quantity": 20}]},
                user_id=warehouse)
        elif then == "invoiced":
            services.deliver_order(order.id, user_id=warehouse)
            invoice = services.invoice_order(order.id, user_id=finance)
            invoicing_services.post_invoice(invoice.id)
