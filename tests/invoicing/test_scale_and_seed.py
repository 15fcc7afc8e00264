"""seed-scale --invoices leaves data as the services would; seed-demo's invoices look alive."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from erp.invoicing import services
from erp.invoicing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from erp.invoicing.reports import ar_aging
from shared.extensions import db
from tests.conftest import today


def test_seed_scale_invoices_are_consistent_and_numbered(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--partners", "20",
                                                "--invoices", "150", "--seed", "3", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        invoices = db.session.scalars(select(Invoice).order_by(Invoice.id)).all()
        assert len(invoices) == 150
        by_year: dict[int, list[str]] = {}
        for invoice in invoices:
            by_year.setdefault(invoice.invoice_date.year, []).append(invoice.number)
            lines = db.session.scalars(select(InvoiceLine)
                                       .where(InvoiceLine.invoice_id == invoice.id)).all()
            assert invoice.untaxed_amount == sum(line.subtotal for line in lines)
            assert invoice.total == invoice.untaxed_amount + invoice.tax_amount
            assert invoice.amount_due == invoice.total - invoice.amount_paid
            assert (invoice.state == "paid") == (invoice.amount_due == 0)
        for year, numbers in by_year.items():
            assert sorted(numbers) == [f"INV/{year}/{n:05d}" for n in range(1, len(numbers) + 1)]
        allocated = db.session.scalar(select(func.sum(PaymentAllocation.amount)))
        assert allocated == sum(i.amount_paid for i in invoices)
        assert db.session.scalar(select(func.sum(Payment.amount))) == allocated
        # the services carry on from there: the next number follows without a gap
        partner_id = invoices[0].partner_id
        draft = services.create_invoice({"partner_id": partner_id, "lines": [
            {"description": "x", "quantity": 1, "unit_price": "1"}]})
        year = today().year
        assert services.post_invoice(draft.id).number == \
            f"INV/{year}/{len(by_year.get(year, [])) + 1:05d}"
        _rows, totals = ar_aging()
        assert totals.total == sum((i.amount_due for i in invoices), Decimal("0")) + \
            Decimal("1.13")


def test_seed_demo_has_open_overdue_and_paid_invoices(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        states = dict(db.session.execute(select(Invoice.state, func.count())
                                         .group_by(Invoice.state)).all())
        assert states.get("paid") and states.get("posted") and states.get("draft")
        kinds = set(db.session.scalars(select(Invoice.kind)))
        assert kinds == {"customer_invoice", "customer_credit_note", "vendor_bill"}
        rows, totals = ar_aging()
        assert len(rows) >= 4 and totals.buckets["d1_30"] > 0 and totals.buckets["current"] > 0
        assert db.session.scalar(select(func.count()).select_from(Payment)) >= 3
