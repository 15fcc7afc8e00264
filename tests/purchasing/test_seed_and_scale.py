"""seed-scale --purchase-orders leaves orders as the services would; seed-demo shows every
purchasing state, a receipt and a bill, and leaves no drift."""
from __future__ import annotations

from sqlalchemy import func, select

from erp.inventory.drift import find_drift
from erp.invoicing.models import Invoice
from erp.purchasing import services
from erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, SupplierPrice
from shared.extensions import db


def test_seed_scale_purchase_orders_are_consistent_and_numbered(app):
    result = app.test_cli_runner().invoke(args=[
        "seed-scale", "--partners", "30", "--products", "50", "--purchase-orders", "120",
        "--seed", "5", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        orders = db.session.scalars(select(PurchaseOrder).order_by(PurchaseOrder.id)).all()
        assert [o.number for o in orders] == [f"PO{n:05d}" for n in range(1, 121)]
        for order in orders:
            assert order.state == "confirmed" and order.supplier.is_supplier
            assert order.untaxed_amount == sum(line.subtotal for line in order.lines)
            assert order.total == order.untaxed_amount + order.tax_amount
            assert order.expected_date >= order.order_date
        incoming = services.incoming_quantities(
            db.session.scalars(select(PurchaseOrderLine.product_id).distinct()))
        assert sum(incoming.values()) == db.session.scalar(
            select(func.sum(PurchaseOrderLine.quantity)))
        # the services carry on from there
        order = services.create_order({"supplier_id": orders[0].supplier_id})
        assert order.number == "PO00121"
        assert find_drift() == []


def test_seed_demo_shows_purchasing_in_every_state(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        states = set(db.session.scalars(select(PurchaseOrder.state)))
        assert states == {"draft", "confirmed", "partially_received", "received", "cancelled"}
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == 2
        assert db.session.scalar(select(func.count()).select_from(SupplierPrice)) >= 5
        bills = db.session.scalars(select(Invoice).where(
            Invoice.purchase_order_id.is_not(None))).all()
        assert [(b.kind, b.state) for b in bills] == [("vendor_bill", "posted")]
        assert 0 < bills[0].amount_due < bills[0].total  # partly paid
        late = db.session.scalar(select(func.count()).select_from(
            services.order_query(late=True).subquery()))
        assert late >= 1
        assert find_drift() == []
