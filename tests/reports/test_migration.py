"""Migration 0014_reports: invoice lines posted before it get their product's current cost
price (stockable and consumable; 0 for services, lines without a product and drafts)."""
from __future__ import annotations

from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from erp.invoicing import services
from shared.extensions import db
from shared.partners.services import create_partner
from shared.products.services import create_product
from tests.conftest import migrated_app


def test_the_migration_backfills_posted_lines(tmp_path):
    with migrated_app(tmp_path / "migrate.sqlite3"):
        partner = create_partner({"name": "Backfill Ltd"})
        ids = {sku: create_product({"sku": sku, "name": sku, "type": kind,
                                    "cost_price": "4.2500", "list_price": "9.00"}).id
               for sku, kind in (("S", "stockable"), ("C", "consumable"), ("V", "service"))}
        lines = [{"product_id": ids[sku], "quantity": 1, "unit_price": "9.00"}
                 for sku in ("S", "C", "V")] + [{"description": "free", "quantity": 1,
                                                  "unit_price": "1.00"}]
        posted = services.create_invoice({"partner_id": partner.id, "lines": lines})
        services.post_invoice(posted.id)
        draft = services.create_invoice({"partner_id": partner.id, "lines": lines})
        draft_id, posted_id = draft.id, posted.id
        db.session.execute(text("UPDATE products SET cost_price = 6.5"))
        db.session.commit()
        downgrade(revision="0012_hardening")
        upgrade()
        rows = db.session.execute(text(
            "SELECT invoice_id, unit_cost FROM invoice_lines ORDER BY invoice_id, sequence"))
        costs = [(invoice_id, Decimal(str(cost))) for invoice_id, cost in rows]
    assert costs == [(posted_id, Decimal("6.5")), (posted_id, Decimal("6.5")),
                     (posted_id, Decimal("0")), (posted_id, Decimal("0")),
                     (draft_id, Decimal("0")), (draft_id, Decimal("0")),
                     (draft_id, Decimal("0")), (draft_id, Decimal("0"))]
