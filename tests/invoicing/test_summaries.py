"""The sales and cash summaries the dashboards read: kept by posting, credit notes, payments
and their reversal in the same transaction (even when postings race), checked and rebuilt by
`flask stock-check`, and filled by the migration that adds them (with the stock per day)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from erp.inventory.models import StockByDay
from erp.inventory.services import location_by_code, main_stock, record_move
from erp.invoicing import payments, services
from erp.invoicing.models import CashInByDay, CustomerRhythm, SalesByPartner, SalesByProduct
from erp.invoicing.summaries import find_summary_drift
from shared.drift import find_all_drift
from shared.extensions import db
from shared.partners.services import create_partner
from shared.products.services import create_product
from tests.conftest import migrated_app, today
from tests.race import race

KEPT = (SalesByPartner, SalesByProduct, CashInByDay, CustomerRhythm, StockByDay)


def _rows(app, model) -> list[tuple]:
    with app.app_context():
        columns = [c for c in model.__table__.columns]
        rows = db.session.execute(select(*columns).order_by(*model.__table__.primary_key))
        return [tuple(Decimal(str(v)).normalize() if isinstance(v, (Decimal, float)) else v
                      for v in row) for row in rows]


def D(text: str) -> Decimal:
    return Decimal(text).normalize()


@pytest.fixture
def sold(fin, customer, product):
    """A customer invoice of 3 lamps at 199.00 (cost 92.50 kept at posting) and an hour of
    service without a product at 80.00, posted; then 1 lamp credited."""
    body = {"partner_id": customer["id"], "invoice_date": today().isoformat(),
            "lines": [{"product_id": product["id"], "quantity": "3", "unit_price": "199.00",
                       "tax_rate": "13"},
                      {"description": "Set-up", "quantity": "1", "unit_price": "80.00",
                       "tax_rate": "6"}]}
    invoice = fin.post("/invoices", json=body).json
    invoice = fin.post(f"/invoices/{invoice['id']}/post").json
    note = fin.post(f"/invoices/{invoice['id']}/credit-note", json={"lines": [
        {"invoice_line_id": invoice["lines"][0]["id"], "quantity": "1"}]})
    assert note.status_code == 201, note.json
    return invoice


def test_posting_and_crediting_add_to_the_month_of_the_invoice(app, sold, fin, customer,
                                                               product):
    month = today().replace(day=1)
    # 3 + 1 − 1 = 3 units; 3 × 199 + 80 − 199 = 478 revenue; 3 × 92.50 − 92.50 = 185 cost
    # (the service costs 0); no order, so both count for the user who made the invoice
    assert _rows(app, SalesByPartner) == [(month, customer["id"], fin.user_id, D("3"),
                                           D("478"), D("185"))]
    # per product: the lamps, 2 net, 398 revenue, 185 cost; the set-up under 0 (no product)
    assert _rows(app, SalesByProduct) == [(month, 0, D("1"), D("80"), D("0")),
                                          (month, product["id"], D("2"), D("398"), D("185"))]


def test_vendor_bills_and_drafts_are_not_sales(app, fin, supplier, customer, product):
    fin.post("/invoices", json={"kind": "vendor_bill", "partner_id": supplier["id"],
                                "lines": [{"product_id": product["id"], "quantity": "5",
                                           "unit_price": "90.00"}]})
    bill = fin.get("/invoices?kind=vendor_bill").json["items"][0]
    assert fin.post(f"/invoices/{bill['id']}/post").status_code == 200
    fin.post("/invoices", json={"partner_id": customer["id"], "lines": [
        {"product_id": product["id"], "quantity": "1", "unit_price": "199.00"}]})  # a draft
    assert _rows(app, SalesByPartner) == [] and _rows(app, SalesByProduct) == []


def test_payments_add_on_their_date_and_a_reversal_takes_it_back(app, fin, sold, customer,
                                                                 supplier):
    due = Decimal(fin.get(f"/invoices/{sold['id']}").json["amount_due"])
    first = fin.post("/payments", json={
        "partner_id": customer["id"], "amount": "100.00", "date": "2026-03-02",
        "allocations": [{"invoice_id": sold["id"], "amount": "100.00"}]}).json
    fin.post("/payments", json={
        "partner_id": customer["id"], "amount": "50.00", "date": "2026-03-02",
        "allocations": [{"invoice_id": sold["id"], "amount": "50.00"}]})
    fin.post("/payments", json={"partner_id": customer["id"], "amount": "20.00",
                                "date": "2026-03-05"})  # allocated to nothing: no cash in
    assert _rows(app, CashInByDay) == [(date(2026, 3, 2), D("150"))]
    assert fin.post(f"/payments/{first['id']}/reverse").status_code == 200
    assert _rows(app, CashInByDay) == [(date(2026, 3, 2), D("50"))]
    assert due > 50
    # a supplier's payment of a vendor bill is not cash in
    fin.post("/invoices", json={"kind": "vendor_bill", "partner_id": supplier["id"],
                                "lines": [{"description": "Paper", "quantity": "1",
                                           "unit_price": "30.00", "tax_rate": "0"}]})
    bill = fin.get("/invoices?kind=vendor_bill").json["items"][0]
    fin.post(f"/invoices/{bill['id']}/post")
    paid = fin.post("/payments", json={"partner_id": supplier["id"], "amount": "30.00",
                                       "date": "2026-03-02",
                                       "allocations": [{"invoice_id": bill["id"],
                                                        "amount": "30.00"}]})
    assert paid.status_code == 201, paid.json
    assert _rows(app, CashInByDay) == [(date(2026, 3, 2), D("50"))]


def test_stock_check_reports_a_drifted_summary_and_repair_rebuilds_it(app, sold, fin,
                                                                     customer):
    runner = app.test_cli_runner()
    assert "No drift" in runner.invoke(args=["stock-check"]).output
    before = _rows(app, SalesByPartner)
    with app.app_context():  # something wrote the summary behind the posting's back
        db.session.execute(update(SalesByPartner).values(revenue=Decimal("1.00")))
        db.session.execute(SalesByProduct.__table__.delete())
        db.session.commit()
        assert {d.table for d in find_summary_drift()} == {"sales_by_partner",
                                                            "sales_by_product"}
    found = runner.invoke(args=["stock-check"])
    assert found.exit_code == 1
    month = today().replace(day=1)
    assert f"sales_by_partner ({month}, {customer['id']}, {fin.user_id}): stored" \
        in found.output and "'revenue': '1.00'" in found.output
    repaired = runner.invoke(args=["stock-check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired 3 row(s)" in repaired.output
    assert _rows(app, SalesByPartner) == before and len(_rows(app, SalesByProduct)) == 2
    assert runner.invoke(args=["stock-check"]).exit_code == 0


@pytest.mark.slow
def test_postings_and_payments_racing_on_the_same_rows_add_up(app, database_url, fin, api_as,
                                                             customer, product):
    """Eight invoices of the same customer, product and month (on four dates) posted at
    once, then six payments of the same day recorded at once: every increment lands (no
    lost update), and the customer's rhythm counts every date."""
    token = api_as("finance").token
    days = [today().replace(day=1) + timedelta(days=n % 4) for n in range(8)]
    drafts = [fin.post("/invoices", json={
        "partner_id": customer["id"], "invoice_date": days[n].isoformat(),
        "lines": [{"product_id": product["id"], "quantity": "2", "unit_price": "10.00",
                   "tax_rate": "0"}]}).json for n in range(8)]
    outcomes = race(app, database_url, [(token, f"/invoices/{d['id']}/post", None)
                                        for d in drafts])
    assert [o.status for o in outcomes] == [200] * 8, outcomes
    month = today().replace(day=1)
    assert _rows(app, SalesByPartner) == [(month, customer["id"], fin.user_id, D("16"),
                                           D("160"), D("1480"))]
    assert _rows(app, SalesByProduct) == [(month, product["id"], D("16"), D("160"),
                                           D("1480"))]
    # four distinct dates a day apart, whichever posting came last
    assert _rows(app, CustomerRhythm) == [(customer["id"], 4, days[3], D("1"))]
    calls = [(token, "/payments", {"partner_id": customer["id"], "amount": "20.00",
                                   "date": "2026-06-01",
                                   "allocations": [{"invoice_id": d["id"], "amount": "20.00"}]})
             for d in drafts[:6]]
    outcomes = race(app, database_url, calls)
    assert [o.status for o in outcomes] == [201] * 6, outcomes
    assert _rows(app, CashInByDay) == [(date(2026, 6, 1), D("120"))]
    with app.app_context():
        assert find_all_drift() == []


def test_the_migration_fills_the_summaries_from_the_documents(tmp_path):
    with migrated_app(tmp_path / "migrate.sqlite3") as app:
        partner = create_partner({"name": "Summary Ltd"})
        lamp = create_product({"sku": "L", "name": "Lamp", "cost_price": "4.2500",
                               "list_price": "9.00"})
        for day in (date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 20)):
            invoice = services.create_invoice({"partner_id": partner.id, "invoice_date": day,
                                               "lines": [{"product_id": lamp.id,
                                                          "quantity": 2,
                                                          "unit_price": "9.00"}]})
            invoice = services.post_invoice(invoice.id)
            payments.record_payment({"partner_id": partner.id, "amount": "5.00",
                                     "date": day, "allocations": [
                                         {"invoice_id": invoice.id, "amount": "5.00"}]})
        services.create_credit_note(invoice.id, {"lines": [
            {"invoice_line_id": invoice.lines[0].id, "quantity": 1}]})
        partner_id, lamp_id = partner.id, lamp.id
        supplier, shelf = location_by_code("Suppliers").id, main_stock().id
        for quantity, source, target in ((5, supplier, shelf), (2, shelf, supplier)):
            record_move({"product_id": lamp_id, "quantity": quantity,
                         "from_location_id": source, "to_location_id": target})
        kept = [_rows(app, model) for model in KEPT]
        downgrade(revision="0015_forecast")
        upgrade()
        filled = [_rows(app, model) for model in KEPT]
    assert filled == kept
    # 2 lamps at 9.00 (cost 4.25) on each day; 1 credited today, in today's month
    by_month: dict[date, tuple[Decimal, Decimal]] = {}
    for month, revenue, cost in [(date(2026, 1, 1), 18, "8.5"), (date(2026, 2, 1), 36, 17),
                                 (today().replace(day=1), -9, "-4.25")]:
        old = by_month.get(month, (0, 0))
        by_month[month] = (old[0] + Decimal(revenue), old[1] + Decimal(cost))
    assert {row[0]: (row[4], row[5]) for row in kept[0]} == {
        month: (D(str(r)), D(str(c))) for month, (r, c) in by_month.items()}
    assert kept[2] == [(date(2026, 1, 31), D("5")), (date(2026, 2, 1), D("5")),
                       (date(2026, 2, 20), D("5"))]
    assert kept[3] == [(partner_id, 3, date(2026, 2, 20), D("10"))]  # gaps of 1 and 19 days
    assert kept[4] == [(lamp_id, today(), D("3"))]  # 5 received, 2 returned today
