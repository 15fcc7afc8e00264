"""seed-demo: invoices for the demo company, so the pages and the aging report look alive:
paid, partially paid, overdue and fresh customer invoices (Chinese and English customers),
a credit note, a vendor bill and a draft."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from erp.invoicing import payments, services
from shared.dates import company_today
from shared.extensions import db
from shared.money import round_money
from shared.partners.models import Partner
from shared.products.models import Product

# customer name, days ago, [(sku, quantity)], what happens next
DEMO_INVOICES = [
    ("上海明辉电子有限公司", 75, [("CHAIR-ERG-02", 10), ("SVC-INSTALL", 2)], "paid"),
    ("上海明辉电子有限公司", 50, [("LAMP-DESK-01", 40), ("PAPER-A4-500", 100)], "partial"),
    ("深圳华强科技股份公司", 110, [("SHELF-STEEL-5", 6)], "open"),  # long overdue
    ("深圳华强科技股份公司", 10, [("KETTLE-17", 20), ("MUG-CER-350", 60)], "open"),
    ("北京远航办公用品", 40, [("PEN-GEL-BK12", 150), ("BOX-STOR-M", 30)], "open"),
    ("Harbor Lights Retail Ltd", 65, [("LAMP-DESK-01", 25), ("SVC-WARRANTY-1Y", 25)], "credit"),
    ("Harbor Lights Retail Ltd", 5, [("CHAIR-ERG-02", 4)], "open"),
    ("Sunrise Hotels Singapore", 35, [("KETTLE-17", 30), ("MUG-CER-350", 120)], "partial"),
    ("Maria Rossi", 3, [("LAMP-DESK-01", 1)], "paid"),
]


def _ids(model, column, values) -> dict:
    rows = db.session.execute(select(column, model.id).where(column.in_(values))).all()
    return dict(rows)


def _lines(products: dict, items) -> list[dict]:
    return [{"product_id": products[sku], "quantity": qty} for sku, qty in items]


def seed_invoicing() -> None:
    partners = _ids(Partner, Partner.name, [row[0] for row in DEMO_INVOICES]
                    + ["Nordic Paper AB"])
    skus = {sku for row in DEMO_INVOICES for sku, _ in row[2]} | {"PAPER-A4-500"}
    products = _ids(Product, Product.sku, skus)
    if len(products) < len(skus) or len(partners) < 2:
        return  # not the platform's demo data
    today = company_today()
    for name, days_ago, items, then in DEMO_INVOICES:
        if name not in partners:
            continue
        invoice_date = today - timedelta(days=days_ago)
        invoice = services.create_invoice({"partner_id": partners[name],
                                           "invoice_date": invoice_date,
                                           "lines": _lines(products, items)})
        invoice = services.post_invoice(invoice.id)
        share = {"paid": invoice.amount_due,
                 "partial": round_money(invoice.amount_due / 2)}.get(then)
        if share:
            payments.record_payment({
                "partner_id": invoice.partner_id, "amount": share, "method": "bank",
                "date": min(today, invoice_date + timedelta(days=20)),
                "reference": invoice.number,
                "allocations": [{"invoice_id": invoice.id, "amount": share}]})
        if then == "credit":  # the warranties were returned
            services.create_credit_note(invoice.id, {"lines": [
                {"invoice_line_id": invoice.lines[1].id, "quantity": 5}]})
    if "Nordic Paper AB" in partners:
        bill = services.create_invoice({"kind": "vendor_bill",
                                        "partner_id": partners["Nordic Paper AB"],
                                        "invoice_date": today - timedelta(days=20),
                                        "lines": [{"product_id": products["PAPER-A4-500"],
                                                   "quantity": 400}]})
        services.post_invoice(bill.id)
    services.create_invoice({"partner_id": partners["上海明辉电子有限公司"],
                             "notes": "报价后待确认 To be confirmed",
                             "lines": _lines(products, [("LAMP-DESK-01", 12)])})
