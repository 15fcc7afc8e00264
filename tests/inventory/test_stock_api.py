"""The inventory contract of API.md: locations, moves, levels, reversals, counts, reorder."""
from __future__ import annotations

from decimal import Decimal

import pytest

from erp.inventory import services
from erp.inventory.models import StockBalance, StockMove
from shared.db import transactional
from tests.conftest import row_count, sql_statements


def test_init_db_creates_the_four_default_locations(stock):
    items = stock.api.get("/locations").json["items"]
    assert {(i["code"], i["kind"]) for i in items} == {
        ("WH/Stock", "internal"), ("Suppliers", "supplier"), ("Customers", "customer"),
        ("Adjustments", "adjustment")}


def test_create_location_and_refuse_a_duplicate_code(stock):
    created = stock.api.post("/locations", json={"code": "WH2/Stock", "name": "Second"})
    assert created.status_code == 201 and created.json["kind"] == "internal"
    again = stock.api.post("/locations", json={"code": "wh2/stock", "name": "Again"})
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate"
    assert again.json["error"]["existing_id"] == created.json["id"]
    bad = stock.api.post("/locations", json={"code": "X", "name": "X", "kind": "moon"})
    assert bad.status_code == 422 and "kind" in bad.json["error"]["fields"]


def test_a_receipt_is_recorded_and_the_balance_follows(stock):
    lamp = stock.product("LAMP", barcode="6901234567892")
    response = stock.move(lamp, "10", "Suppliers", "WH/Stock", reference="PO1", note="first")
    assert response.status_code == 201
    move = response.json
    assert move["sku"] == "LAMP" and move["quantity"] == "10.000"
    assert move["reference"] == "PO1" and move["note"] == "first"
    assert move["user_id"] == stock.api.user_id and move["created_at"].endswith("+00:00")
    assert stock.level(lamp) == (Decimal(10), Decimal(0), Decimal(10))
    product = stock.api.get(f"/products/{lamp}").json
    assert (product["on_hand"], product["reserved"], product["available"]) == \
        ("10.000", "0.000", "10.000")


def test_a_move_names_its_product_by_sku_or_barcode(stock):
    lamp = stock.product("LAMP", barcode="6901234567892")
    by_sku = stock.api.post("/stock/moves", json={
        "sku": "LAMP", "quantity": 2, "from_location_id": stock.loc["Suppliers"],
        "to_location_id": stock.loc["WH/Stock"]})
    by_barcode = stock.api.post("/stock/moves", json={
        "barcode": "6901234567892", "quantity": "1.5", "from_location_id": stock.loc["Suppliers"],
        "to_location_id": stock.loc["WH/Stock"]})
    assert by_sku.status_code == by_barcode.status_code == 201
    assert by_sku.json["product_id"] == by_barcode.json["product_id"] == lamp
    assert stock.level(lamp)[0] == Decimal("3.5")


@pytest.mark.parametrize("body, field", [
    ({"quantity": 0}, "quantity"),
    ({"quantity": "-1"}, "quantity"),
    ({"quantity": "abc"}, "quantity"),
    ({"quantity": "NaN"}, "quantity"),
    ({"quantity": "1.0001"}, "quantity"),
    ({"quantity": None}, "quantity"),
    ({"product_id": 999999}, "product_id"),
    ({"product_id": None, "sku": "NOPE"}, "sku"),
    ({"product_id": None}, "product_id"),
    ({"from_location_id": 999999}, "from_location_id"),
    ({"to_location_id": "x"}, "to_location_id"),
])
def test_bad_moves_are_422_and_write_nothing(app, stock, body, field):
    lamp = stock.product("LAMP")
    payload = {"product_id": lamp, "quantity": 1, "from_location_id": stock.loc["Suppliers"],
               "to_location_id": stock.loc["WH/Stock"], **body}
    response = stock.api.post("/stock/moves", json=payload)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert row_count(app, StockMove) == 0 and row_count(app, StockBalance) == 0


def test_same_location_on_both_sides_and_services_are_refused(app, stock):
    lamp = stock.product("LAMP")
    same = stock.move(lamp, 1, "WH/Stock", "WH/Stock")
    assert same.status_code == 422 and "to_location_id" in same.json["error"]["fields"]
    install = stock.product("SVC", type="service")
    service = stock.move(install, 1, "Suppliers", "WH/Stock")
    assert service.status_code == 422 and "product_id" in service.json["error"]["fields"]
    assert row_count(app, StockMove) == 0


def test_taking_more_than_available_is_409_and_says_how_many(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 3)
    response = stock.move(lamp, 4, "WH/Stock", "Customers")
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "insufficient_stock"
    assert "Only 3 of LAMP available at WH/Stock" in error["message"]
    assert error["fields"]["quantity"] == "Only 3 available."
    assert stock.level(lamp)[0] == Decimal(3) and row_count(app, StockMove) == 1
    never = stock.move(stock.product("MUG"), 1, "WH/Stock", "Customers")
    assert never.status_code == 409


def test_reserved_units_cannot_be_taken_by_another_move(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 10)
    with app.app_context():
        reserved = transactional(services.reserve_available)(lamp, stock.loc["WH/Stock"],
                                                             Decimal(7))
    assert reserved == Decimal(7)
    assert stock.level(lamp) == (Decimal(10), Decimal(7), Decimal(3))
    assert stock.move(lamp, 4, "WH/Stock", "Customers").status_code == 409
    assert stock.move(lamp, 3, "WH/Stock", "Customers").status_code == 201
    with app.app_context():  # only what is free can still be reserved
        assert transactional(services.reserve_available)(
            lamp, stock.loc["WH/Stock"], Decimal(5)) == Decimal(0)
        transactional(services.release_reserved)(lamp, stock.loc["WH/Stock"], Decimal(7))
    assert stock.level(lamp) == (Decimal(7), Decimal(0), Decimal(7))


def test_a_delivery_can_consume_its_reservation(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    with app.app_context():
        @transactional
        def deliver_reserved():
            here = services.main_stock()
            services.reserve_available(lamp, here.id, Decimal(5))
            product = services.find_product(product_id=lamp)
            services.book_move(product, Decimal(5), here,
                               services.location_by_code("Customers"), user_id=None,
                               reserved=Decimal(5))
        deliver_reserved()
    assert stock.level(lamp) == (Decimal(0), Decimal(0), Decimal(0))


def test_transfers_between_internal_locations_move_both_balances(stock):
    lamp = stock.product("LAMP")
    stock.location("WH2/Stock")
    stock.receive(lamp, 8)
    assert stock.move(lamp, 5, "WH/Stock", "WH2/Stock").status_code == 201
    assert stock.level(lamp) == (Decimal(3), Decimal(0), Decimal(3))
    assert stock.level(lamp, "WH2/Stock") == (Decimal(5), Decimal(0), Decimal(5))
    assert stock.api.get(f"/products/{lamp}").json["on_hand"] == "8.000"


def test_reverse_a_move_once_and_never_a_reversal(app, stock):
    lamp = stock.product("LAMP")
    receipt = stock.receive(lamp, 6)
    reversal = stock.api.post(f"/stock/moves/{receipt['id']}/reverse")
    assert reversal.status_code == 201
    assert reversal.json["reverses_id"] == receipt["id"]
    assert (reversal.json["from_location_id"], reversal.json["to_location_id"]) == \
        (receipt["to_location_id"], receipt["from_location_id"])
    assert stock.level(lamp)[0] == Decimal(0)
    again = stock.api.post(f"/stock/moves/{receipt['id']}/reverse")
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_state"
    undo = stock.api.post(f"/stock/moves/{reversal.json['id']}/reverse")
    assert undo.status_code == 409
    assert stock.api.post("/stock/moves/999999/reverse").status_code == 404
    assert row_count(app, StockMove) == 2


def test_a_reversal_keeps_the_reference_and_says_which_move_it_undoes(app, stock, login_as,
                                                                      client):
    """Issue 16 item 10: the ledger read "Reversal of move 21 reversal"."""
    lamp = stock.product("LAMP")
    receipt = stock.receive(lamp, 6, reference="PO-77")
    reversal = stock.api.post(f"/stock/moves/{receipt['id']}/reverse").json
    assert reversal["reference"] == "PO-77"
    both = stock.api.get("/stock/moves?reference=PO-77").json["items"]
    assert [move["id"] for move in both] == [reversal["id"], receipt["id"]]
    login_as("warehouse")
    html = client.get("/inventory/moves").get_data(as_text=True)
    assert f'data-testid="reversal-of">reversal of move {receipt["id"]}<' in html
    assert "Reversal of move" not in html


def test_reversing_a_receipt_whose_goods_left_is_insufficient_stock(stock):
    lamp = stock.product("LAMP")
    receipt = stock.receive(lamp, 4)
    stock.move(lamp, 3, "WH/Stock", "Customers")
    response = stock.api.post(f"/stock/moves/{receipt['id']}/reverse")
    assert response.status_code == 409 and response.json["error"]["code"] == "insufficient_stock"


def test_the_ledger_filters_newest_first_and_pages_by_key(stock):
    lamp, mug = stock.product("LAMP"), stock.product("MUG")
    stock.location("WH2/Stock")
    ids = [stock.receive(lamp, 1)["id"], stock.receive(mug, 2)["id"],
           stock.move(lamp, 1, "WH/Stock", "WH2/Stock", reference="T1").json["id"]]
    everything = stock.api.get("/stock/moves").json
    assert [m["id"] for m in everything["items"]] == ids[::-1] and everything["total"] == 3
    assert [m["id"] for m in stock.api.get(f"/stock/moves?product_id={lamp}").json["items"]] \
        == [ids[2], ids[0]]
    wh2 = stock.loc["WH2/Stock"]
    assert [m["id"] for m in stock.api.get(f"/stock/moves?location_id={wh2}").json["items"]] \
        == [ids[2]]
    assert stock.api.get("/stock/moves?reference=T1").json["total"] == 1
    assert [m["id"] for m in stock.api.get(f"/stock/moves?before_id={ids[2]}").json["items"]] \
        == [ids[1], ids[0]]
    assert stock.api.get("/stock/moves?since=2000-01-01").json["total"] == 3
    assert stock.api.get("/stock/moves?since=2999-01-01T00:00:00+08:00").json["total"] == 0
    bad = stock.api.get("/stock/moves?since=yesterday")
    assert bad.status_code == 422 and "since" in bad.json["error"]["fields"]
    one = stock.api.get(f"/stock/moves/{ids[0]}").json
    assert one["sku"] == "LAMP"


def test_levels_filter_by_product_and_location(stock):
    lamp, mug = stock.product("LAMP"), stock.product("MUG")
    stock.location("WH2/Stock")
    stock.receive(lamp, 5)
    stock.receive(mug, 2, "WH2/Stock")
    levels = stock.api.get("/stock/levels").json
    assert levels["total"] == 2
    assert {(i["sku"], i["location_id"], i["on_hand"], i["available"])
            for i in levels["items"]} == {
        ("LAMP", stock.loc["WH/Stock"], "5.000", "5.000"),
        ("MUG", stock.loc["WH2/Stock"], "2.000", "2.000")}
    only = stock.api.get(f"/stock/levels?location_id={stock.loc['WH2/Stock']}").json["items"]
    assert [i["sku"] for i in only] == ["MUG"]


def test_a_count_turns_differences_into_adjustment_moves(app, stock):
    lamp, mug, pen = stock.product("LAMP"), stock.product("MUG"), stock.product("PEN")
    stock.receive(lamp, 10)
    stock.receive(mug, 4)
    response = stock.api.post("/stock/counts", json={"location_id": stock.loc["WH/Stock"], "lines": [
        {"product_id": lamp, "counted_qty": "7"}, {"sku": "MUG", "counted_qty": 4},
        {"product_id": pen, "counted_qty": "2.5"}]})
    assert response.status_code == 201, response.json
    count = response.json
    assert count["number"] == "COUNT/00001"
    moves = {m["sku"]: m for m in count["moves"]}
    assert set(moves) == {"LAMP", "PEN"}  # no difference, no move
    assert moves["LAMP"]["quantity"] == "3.000"
    assert moves["LAMP"]["to_location_id"] == stock.loc["Adjustments"]
    assert moves["PEN"]["from_location_id"] == stock.loc["Adjustments"]
    assert {m["reference"] for m in count["moves"]} == {"COUNT/00001"}
    assert stock.level(lamp)[0] == Decimal(7) and stock.level(pen)[0] == Decimal("2.5")


@pytest.mark.parametrize("body, field", [
    ({"lines": []}, "lines"),
    ({"lines": [{"sku": "LAMP", "counted_qty": "-1"}]}, "lines.0.counted_qty"),
    ({"lines": [{"sku": "LAMP", "counted_qty": "1"}, {"sku": "NOPE", "counted_qty": "1"}]},
     "lines.1.sku"),
    ({"lines": [{"sku": "LAMP", "counted_qty": "1"}, {"sku": "LAMP", "counted_qty": "2"}]},
     "lines.1.sku"),
    ({"location_id": "Suppliers"}, "location_id"),
])
def test_a_bad_count_is_422_and_applies_nothing(app, stock, body, field):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    payload = {"location_id": stock.loc["WH/Stock"], **body}
    if body.get("location_id") == "Suppliers":
        payload["location_id"] = stock.loc["Suppliers"]
        payload["lines"] = [{"sku": "LAMP", "counted_qty": "1"}]
    response = stock.api.post("/stock/counts", json=payload)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert row_count(app, StockMove) == 1 and stock.level(lamp)[0] == Decimal(5)


def test_a_count_below_the_reserved_quantity_is_refused(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    with app.app_context():
        transactional(services.reserve_available)(lamp, stock.loc["WH/Stock"], Decimal(4))
    response = stock.api.post("/stock/counts", json={
        "location_id": stock.loc["WH/Stock"], "lines": [{"sku": "LAMP", "counted_qty": "3"}]})
    assert response.status_code == 409 and response.json["error"]["code"] == "insufficient_stock"
    assert "lines.0.counted_qty" in response.json["error"]["fields"]
    assert stock.level(lamp) == (Decimal(5), Decimal(4), Decimal(1))


def test_reorder_suggestions_follow_the_formula(stock):
    supplier = stock.api.post("/partners", json={"name": "Supplier", "is_supplier": True,
                                                 "is_customer": False}).json["id"]
    low = stock.product("LOW", reorder_point="10", reorder_qty="5", default_supplier_id=supplier)
    big_gap = stock.product("GAP", reorder_point="50", reorder_qty="5")
    fine = stock.product("FINE", reorder_point="2", reorder_qty="5")
    stock.product("NOPOINT")
    stock.receive(low, 8)
    stock.receive(big_gap, 10)
    stock.receive(fine, 3)
    items = {i["sku"]: i for i in stock.api.get("/stock/reorder-suggestions").json["items"]}
    assert set(items) == {"LOW", "GAP"}
    assert items["LOW"] == {"product_id": low, "sku": "LOW", "name": "Product LOW",
                            "available": "8.000", "incoming": "0.000",
                            "reorder_point": "10.000", "suggested_qty": "5.000",
                            "supplier_id": supplier, "days_of_cover": None,
                            "stockout_date": None}  # no demand (tests/inventory/test_forecast)
    assert items["GAP"]["suggested_qty"] == "40.000"  # max(5, 50 - 10 - 0)
    stock.receive(low, 2)  # at the point is still "at or below"
    assert "LOW" in {i["sku"] for i in stock.api.get("/stock/reorder-suggestions").json["items"]}
    stock.receive(low, 1)
    assert "LOW" not in {i["sku"] for i in
                         stock.api.get("/stock/reorder-suggestions").json["items"]}
    assert fine


def test_incoming_quantities_from_purchasing_lift_a_product_out(app, stock):
    from sqlalchemy import literal, select

    from tests.conftest import replaced

    def incoming(qty: str):
        """Purchasing's query, replaced by one row: `qty` of LOW still to come."""
        return lambda: select(literal(low).label("product_id"),
                              literal(Decimal(qty)).label("qty"))

    low = stock.product("LOW", reorder_point="10", reorder_qty="5")
    stock.receive(low, 4)
    with replaced(app, "incoming_query", incoming("3")):
        items = stock.api.get("/stock/reorder-suggestions").json["items"]
    assert items[0]["incoming"] == "3.000" and items[0]["suggested_qty"] == "5.000"
    with replaced(app, "incoming_query", incoming("7")):
        assert stock.api.get("/stock/reorder-suggestions").json["items"] == []


@pytest.mark.parametrize("role, method, path, allowed", [
    ("warehouse", "post", "/stock/moves", True),
    ("warehouse", "post", "/locations", True),
    ("sales", "post", "/stock/moves", False),
    ("finance", "post", "/stock/moves", False),
    ("support", "post", "/stock/counts", False),
    ("sales", "get", "/stock/moves", False),
    ("support", "get", "/locations", False),
    ("finance", "get", "/stock/moves", True),
    ("sales", "get", "/stock/levels", True),
    ("support", "get", "/stock/levels", True),
    ("sales", "get", "/stock/reorder-suggestions", True),
    ("sales", "post", "/stock/moves/1/reverse", False),
])
def test_roles(api_as, role, method, path, allowed):
    api = api_as(role)
    response = getattr(api, method)(path, **({"json": {}} if method == "post" else {}))
    if allowed:
        assert response.status_code != 403
    else:
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"


def test_product_stock_figures_cost_one_query_for_a_whole_page(app, stock):
    for n in range(5):
        stock.receive(stock.product(f"P{n}"), n + 1)
    response, statements = sql_statements(app, lambda: stock.api.get("/products?per_page=50"))
    assert response.status_code == 200 and len(response.json["items"]) == 5
    assert len([s for s in statements if "stock_balances" in s]) == 1
