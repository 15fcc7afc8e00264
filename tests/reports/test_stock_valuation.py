"""GET /api/v1/reports/stock-valuation?as_of= (API.md): on hand in internal locations at the
end of the day from the move ledger, valued at the unit cost of each product's last move by
then. The ledger is built through the API and back-dated, and the answers worked out here."""
from __future__ import annotations

from datetime import timedelta

import pytest

from erp.inventory import reports
from shared.extensions import db
from tests.conftest import today
from tests.reports.conftest import backdate_move, days_ago, xlsx_rows


def patch_cost(stock, product_id, cost):
    r = stock.api.patch(f"/products/{product_id}", json={"cost_price": cost})
    assert r.status_code == 200, r.json


@pytest.fixture
def ledger(app, stock):
    """LAMP: 10 received 10 days ago at cost 5; 4 shipped 5 days ago at cost 7; today, at
    cost 8, 6 received, the shipment reversed (a new move) and 3 moved to a second internal
    location (the last move). CHAIR: only ever moved from suppliers to a customer."""
    stock.location("WH/Shelf")
    lamp = stock.product("LAMP", type="stockable")
    chair = stock.product("CHAIR", type="stockable")
    patch_cost(stock, lamp, "5.00")
    received = stock.receive(lamp, 10)
    backdate_move(app, received["id"], days_ago(10))
    patch_cost(stock, lamp, "7.00")
    shipped = stock.transfer(lamp, 4, "WH/Stock", "Customers")
    backdate_move(app, shipped["id"], days_ago(5))
    patch_cost(stock, lamp, "8.00")
    stock.receive(lamp, 6)
    r = stock.api.post(f"/stock/moves/{shipped['id']}/reverse")
    assert r.status_code == 201, r.json
    patch_cost(stock, lamp, "8.25")
    stock.transfer(lamp, 3, "WH/Stock", "WH/Shelf")
    stock.transfer(chair, 2, "Suppliers", "Customers")
    return {"lamp": lamp, "chair": chair}


def valuation(api, as_of=None):
    r = api.get("/reports/stock-valuation" + (f"?as_of={as_of.isoformat()}" if as_of else ""))
    assert r.status_code == 200, r.json
    return r.json


def test_a_past_date_ignores_later_moves_and_today_counts_the_reversal(ledger, stock):
    lamp = ledger["lamp"]
    assert valuation(stock.api, days_ago(7)) == {"items": [
        {"product_id": lamp, "sku": "LAMP", "on_hand": "10.000", "unit_cost": "5.0000",
         "value": "50.00"}], "total_value": "50.00"}
    assert valuation(stock.api, days_ago(3)) == {"items": [
        {"product_id": lamp, "sku": "LAMP", "on_hand": "6.000", "unit_cost": "7.0000",
         "value": "42.00"}], "total_value": "42.00"}
    # today: 10 - 4 + 6 + 4 (the reversal) = 16, the shelf transfer moves none out of stock
    # but is the last move: its unit cost 8.25 -> 132.00
    assert valuation(stock.api) == {"items": [
        {"product_id": lamp, "sku": "LAMP", "on_hand": "16.000", "unit_cost": "8.2500",
         "value": "132.00"}], "total_value": "132.00"}
    assert valuation(stock.api, days_ago(11)) == {"items": [], "total_value": "0.00"}


def test_the_fast_path_equals_the_whole_ledger_at_every_moment(app, ledger):
    with app.app_context(), app.test_request_context():
        for n in (11, 10, 7, 5, 3, 0, -1):
            day = today() - timedelta(days=n)
            assert reports.on_hand_at_end_of(day) == reports.ledger_on_hand(
                reports.end_of(day)), n
        db.session.rollback()


def test_the_value_rounds_half_up_to_cents(app, stock):
    bolt = stock.product("BOLT", type="consumable")
    patch_cost(stock, bolt, "0.1235")
    stock.receive(bolt, "0.5")  # 0.5 x 0.1235 = 0.06175 -> 0.06
    stock.receive(bolt, "0.5")  # 1 x 0.1235 = 0.1235 -> 0.12
    item, = valuation(stock.api)["items"]
    assert (item["on_hand"], item["value"]) == ("1.000", "0.12")


def test_roles_and_files(ledger, api_as, stock):
    for role in ("warehouse", "finance", "admin"):
        assert api_as(role).get("/reports/stock-valuation").status_code == 200, role
    for role in ("sales", "support"):
        r = api_as(role).get("/reports/stock-valuation")
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden", role
    rows = xlsx_rows(stock.api.get("/reports/stock-valuation?format=xlsx").data)
    assert rows[0] == ("product_id", "sku", "on_hand", "unit_cost", "value")
    assert rows[1][:2] == (ledger["lamp"], "LAMP") and float(rows[1][4]) == 132.0
    assert rows[-1][0] == "Total value" and float(rows[-1][1]) == 132.0
