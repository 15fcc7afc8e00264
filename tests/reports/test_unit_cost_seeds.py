"""Invoice lines get their unit_cost wherever invoices come from: seed-scale writes it as
posting would, and seed-demo's invoices are posted by the service."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from erp.invoicing.models import Invoice, InvoiceLine
from shared.extensions import db
from shared.products.models import Product


def test_seed_scale_lines_carry_the_cost_price_of_stocked_products(app, books):
    books.product("STOCKED", "12.3400")
    books.product("SUPPLY", "1.5000", type="consumable")
    books.product("SERVICE", "50.0000", type="service")
    result = app.test_cli_runner().invoke(args=["seed-scale", "--partners", "5",
                                                "--invoices", "60", "--seed", "4", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = {pid: (cost if kind != "service" else Decimal("0")) for pid, cost, kind in
                    db.session.execute(select(Product.id, Product.cost_price, Product.type))}
        lines = db.session.execute(select(InvoiceLine.product_id, InvoiceLine.unit_cost)).all()
        assert {pid for pid, _cost in lines if pid} == set(expected)
        assert all(cost == (expected[pid] if pid else 0) for pid, cost in lines)


def test_seed_demo_invoices_and_credit_notes_have_costs(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(
            select(Invoice.state, Product.type, Product.cost_price, InvoiceLine.unit_cost)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .join(Product, Product.id == InvoiceLine.product_id)).all()
        posted = [row for row in rows if row.state != "draft"]
        assert posted and any(row.unit_cost > 0 for row in posted)
        for row in posted:  # the cost then (later receipts move the average since)
            assert (row.unit_cost > 0) == (row.type != "service"), row
        assert all(row.unit_cost == 0 for row in rows if row.state == "draft")
