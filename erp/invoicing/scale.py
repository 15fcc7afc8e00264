"""seed-scale --invoices N: posted customer invoices in bulk for the benchmarks.

About 60 % paid, 15 % partly paid and the rest open, over the last 400 days, 1 to 3 lines
each. Totals are computed by shared.money exactly as posting does, numbers come from the
gapless sequences (next_numbers, per invoice-date year), and every paid amount is a real
payment with its allocation, so the data is as consistent as the services would leave it."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, text

from erp.invoicing.models import (
    CUSTOMER_INVOICE,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from erp.invoicing.summaries import rebuild_summaries
from shared.company.services import get_company
from shared.dates import company_today
from shared.db import utcnow
from shared.extensions import db
from shared.money import ZERO, document_totals, line_figures, round_money
from shared.partners.models import Partner
from shared.products.models import Product
from shared.scale import ITEMS, ScaleContext, bulk_insert, max_id, scale_partners
from shared.sequences.services import next_numbers

TAX_RATES = (Decimal("13.00"), Decimal("13.00"), Decimal("9.00"), Decimal("6.00"))


def _sync_id_sequence(table: str) -> None:
    """Explicit ids were inserted: move PostgreSQL's id sequence past them."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _partners(ctx: ScaleContext) -> list[tuple[int, int]]:
    """(id, payment terms) of up to 2,000 customers, made if there are none."""
    rows = db.session.execute(select(Partner.id, Partner.payment_term_days)
                              .where(Partner.is_customer.is_(True)).order_by(Partner.id)
                              .limit(2000)).all()
    if not rows:
        scale_partners(100, ctx)
        return _partners(ctx)
    return [tuple(row) for row in rows]


def scale_invoices(count: int, ctx: ScaleContext) -> None:
    rng = ctx.rng
    partners = _partners(ctx)
    products = db.session.execute(select(Product.id, Product.name, Product.list_price)
                                  .order_by(Product.id).limit(2000)).all()
    # unit_cost as posting takes it: the cost price of stockable and consumable products
    costs = dict(db.session.execute(
        select(Product.id, Product.cost_price)
        .where(Product.id.in_([row[0] for row in products]),
               Product.type.in_(("stockable", "consumable")))).all()) if products else {}
    currency = get_company().currency
    today = company_today()
    first_id = max_id(Invoice) + 1
    first_payment_id = max_id(Payment) + 1
    now = utcnow()

    plans = []  # (invoice_date, partner, lines) sorted by date so numbers follow dates
    for _ in range(count):
        invoice_date = today - timedelta(days=rng.randint(0, 400))
        partner = rng.choice(partners)
        lines = []
        for _line in range(rng.randint(1, 3)):
            if products and rng.random() < 0.8:
                product_id, name, price = rng.choice(products)
            else:
                product_id, name, price = None, rng.choice(ITEMS), None
            price = price if price else Decimal(rng.randint(100, 500_000)) / 100
            lines.append((product_id, name, Decimal(rng.randint(1, 50)), price,
                          rng.choice(TAX_RATES)))
        plans.append((invoice_date, partner, lines))
    plans.sort(key=lambda plan: plan[0])

    by_year: dict[int, int] = defaultdict(int)
    for invoice_date, _p, _l in plans:
        by_year[invoice_date.year] += 1
    numbers = {year: iter(next_numbers(CUSTOMER_INVOICE, n, year))
               for year, n in sorted(by_year.items())}

    invoices, lines_rows, payments, allocations = [], [], [], []
    for offset, (invoice_date, (partner_id, terms), lines) in enumerate(plans):
        invoice_id = first_id + offset
        figures = []
        for sequence, (product_id, name, qty, price, rate) in enumerate(lines, start=1):
            f = line_figures(qty, price, ZERO, rate)
            figures.append(f)
            lines_rows.append({
                "invoice_id": invoice_id, "sequence": sequence, "product_id": product_id,
                "description": name, "quantity": qty, "unit_price": price,
                "discount_pct": ZERO, "tax_rate": rate, "subtotal": f.subtotal, "tax": f.tax,
                "total": f.total, "credited_qty": ZERO,
                "unit_cost": costs.get(product_id, ZERO) if product_id else ZERO})
        totals = document_totals(figures)
        roll = rng.random()
        paid = totals.total if roll < 0.6 else \
            round_money(totals.total * Decimal(rng.randint(10, 90)) / 100) if roll < 0.75 \
            else ZERO
        invoices.append({
            "id": invoice_id, "number": next(numbers[invoice_date.year]),
            "kind": CUSTOMER_INVOICE, "state": "paid" if paid == totals.total else "posted",
            "partner_id": partner_id, "invoice_date": invoice_date,
            "due_date": invoice_date + timedelta(days=terms), "currency": currency,
            "untaxed_amount": totals.untaxed, "tax_amount": totals.tax, "total": totals.total,
            "amount_paid": paid, "amount_credited": ZERO, "amount_due": totals.total - paid,
            "created_at": now, "posted_at": now})
        if paid:
            payment_id = first_payment_id + len(payments)
            payments.append({
                "id": payment_id, "partner_id": partner_id, "amount": paid,
                "date": min(today, invoice_date + timedelta(days=rng.randint(0, terms + 10))),
                "currency": currency, "method": "bank", "reference": invoices[-1]["number"],
                "state": "posted", "created_at": now})
            allocations.append({"payment_id": payment_id, "invoice_id": invoice_id,
                                "amount": paid})

    with ctx.progress(count, "invoices") as bar:
        bulk_insert(Invoice, invoices, bar)
    bulk_insert(InvoiceLine, lines_rows)
    bulk_insert(Payment, payments)
    bulk_insert(PaymentAllocation, allocations)
    for table in ("invoices", "payments"):
        _sync_id_sequence(table)
    rebuild_summaries()  # bulk rows bypass posting, which keeps the summaries
    ctx.made["invoices"] = list(range(first_id, first_id + count))
