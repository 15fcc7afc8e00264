"""The /purchase-orders contract of API.md: fields, defaults, states, receipts, the moving
average, bills, cancelling, replenishment, errors and roles."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from erp.inventory.models import StockMove
from erp.invoicing.models import Invoice
from erp.purchasing.models import PurchaseOrder, Receipt, SupplierPrice
from tests.conftest import row_count, today
from tests.invoicing.test_pdf import pdf_text
from tests.purchasing.conftest import line_of


def test_an_order_has_its_number_at_creation_and_defaults_from_the_product(buy, finance):
    order = buy.order(finance, (buy.chair, 2), (buy.setup, 1))
    assert order["number"] == "PO00001"
    assert order["state"] == "draft" and order["bill_status"] == "nothing"
    assert order["supplier_id"] == buy.supplier
    chair = line_of(order, buy.chair)
    # no supplier price: the product's cost price
    assert (chair["description"], chair["unit_price"], chair["tax_rate"]) == \
        ("Office Chair 办公椅", "400.00", "13.00")
    assert (chair["received_qty"], chair["billed_qty"]) == ("0.000", "0.000")
    assert (chair["subtotal"], chair["tax"], chair["total"]) == ("800.00", "104.00", "904.00")
    assert (order["untaxed_amount"], order["tax_amount"], order["total"]) == \
        ("800.00", "104.00", "904.00")
    assert order["order_date"] == today().isoformat()
    assert order["expected_date"] == today().isoformat()  # no lead time known
    assert order["allowed_actions"] == ["cancel", "confirm", "edit"]
    assert buy.order(finance, (buy.chair, 1))["number"] == "PO00002"
    assert finance.get(f"/purchase-orders/{order['id']}").json == order


def test_supplier_prices_default_the_price_and_the_expected_date(buy, admin_api, finance):
    for price, min_qty, lead in (("380.5", "1", 7), ("365.1234", "10", 12)):
        r = admin_api.post(f"/products/{buy.chair}/supplier-prices", json={
            "supplier_id": buy.supplier, "supplier_sku": "JG-CH", "price": price,
            "min_qty": min_qty, "lead_time_days": lead})
        assert r.status_code == 201, r.json
    assert r.json["price"] == "365.1234" and r.json["min_qty"] == "10.000"
    prices = admin_api.get(f"/products/{buy.chair}/supplier-prices").json["items"]
    assert [p["price"] for p in prices] == ["380.5000", "365.1234"]
    small = buy.order(finance, (buy.chair, 9))
    assert line_of(small, buy.chair)["unit_price"] == "380.50"
    assert small["expected_date"] == (today() + timedelta(days=7)).isoformat()
    big = buy.order(finance, (buy.chair, 10), (buy.lamp, 1))
    assert line_of(big, buy.chair)["unit_price"] == "365.12"  # rounded to the cent
    assert line_of(big, buy.chair)["supplier_sku"] == "JG-CH"
    assert line_of(big, buy.lamp)["unit_price"] == "90.00"  # no price: cost price
    assert big["expected_date"] == (today() + timedelta(days=12)).isoformat()
    given = buy.order(finance, (buy.chair, 10), expected_date="2030-01-02")
    assert given["expected_date"] == "2030-01-02"
    other = buy.partner("Other supplier", is_supplier=True)
    assert line_of(buy.order(finance, (buy.chair, 10), supplier_id=other),
                   buy.chair)["unit_price"] == "400.00"


def test_supplier_prices_patch_and_delete(buy, admin_api, warehouse, sales):
    r = warehouse.post(f"/products/{buy.chair}/supplier-prices",
                       json={"supplier_id": buy.supplier, "price": "10"})
    assert r.status_code == 201 and r.json["min_qty"] == "1.000"
    assert r.json["lead_time_days"] == 0
    price_id = r.json["id"]
    r = admin_api.patch(f"/supplier-prices/{price_id}", json={"price": "11.25",
                                                              "lead_time_days": 3})
    assert (r.status_code, r.json["price"], r.json["lead_time_days"]) == (200, "11.2500", 3)
    assert sales.get(f"/products/{buy.chair}/supplier-prices").status_code == 200
    assert sales.patch(f"/supplier-prices/{price_id}", json={"price": "1"}).status_code == 403
    assert sales.post(f"/products/{buy.chair}/supplier-prices",
                      json={"supplier_id": buy.supplier, "price": "1"}).status_code == 403
    assert admin_api.delete(f"/supplier-prices/{price_id}").status_code == 204
    assert admin_api.delete(f"/supplier-prices/{price_id}").status_code == 404
    assert admin_api.get(f"/products/{buy.chair}/supplier-prices").json["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"price": "1.23456"}, "price"),
    ({"price": "-1"}, "price"),
    ({"price": "abc"}, "price"),
    ({"min_qty": "0"}, "min_qty"),
    ({"lead_time_days": -1}, "lead_time_days"),
    ({"supplier_id": 999999}, "supplier_id"),
    ({"supplier_id": "customer"}, "supplier_id"),
])
def test_bad_supplier_prices_are_refused_and_nothing_is_written(buy, admin_api, body, field):
    if body.get("supplier_id") == "customer":
        body = {"supplier_id": buy.customer}
    r = admin_api.post(f"/products/{buy.chair}/supplier-prices",
                       json={"supplier_id": buy.supplier, "price": "1", **body})
    assert r.status_code == 422, r.json
    assert r.json["error"]["code"] == "validation_error"
    assert field in r.json["error"]["fields"]
    assert row_count(admin_api.client.application, SupplierPrice) == 0
    assert admin_api.post("/products/999999/supplier-prices",
                          json={"supplier_id": buy.supplier, "price": "1"}).status_code == 404


@pytest.mark.parametrize("bad_line, field", [
    ({"quantity": "0"}, "lines.0.quantity"),
    ({"quantity": "-2"}, "lines.0.quantity"),
    ({"quantity": "abc"}, "lines.0.quantity"),
    ({"product_id": 999999}, "lines.0.product_id"),
    ({"unit_price": "1.23456"}, "lines.0.unit_price"),
    ({"unit_price": "-1"}, "lines.0.unit_price"),
    ({"discount_pct": "101"}, "lines.0.discount_pct"),
])
def test_bad_lines_are_422_and_nothing_is_written(buy, finance, app, bad_line, field):
    r = finance.post("/purchase-orders", json={"supplier_id": buy.supplier, "lines": [
        {"product_id": buy.chair, "quantity": "1", **bad_line}]})
    assert r.status_code == 422, r.json
    assert field in r.json["error"]["fields"]
    assert row_count(app, PurchaseOrder) == 0


def test_the_partner_must_be_a_supplier(buy, finance, app):
    r = finance.post("/purchase-orders", json={"supplier_id": buy.customer, "lines": []})
    assert r.status_code == 422
    assert "not a supplier" in r.json["error"]["fields"]["supplier_id"]
    r = finance.post("/purchase-orders", json={"supplier_id": 999999})
    assert r.status_code == 422 and "supplier_id" in r.json["error"]["fields"]
    r = finance.post("/purchase-orders", json={})
    assert r.status_code == 422 and "supplier_id" in r.json["error"]["fields"]
    r = finance.post("/purchase-orders", data="[]", content_type="application/json")
    assert r.status_code == 400
    r = finance.post("/purchase-orders", json={"supplier_id": buy.supplier,
                                               "expected_date": "2000-01-01"})
    assert r.status_code == 422 and "expected_date" in r.json["error"]["fields"]
    assert row_count(app, PurchaseOrder) == 0


def test_patch_only_in_draft(buy, finance):
    order = buy.order(finance, (buy.chair, 2))
    r = finance.patch(f"/purchase-orders/{order['id']}", json={
        "supplier_reference": "Q-77", "lines": [{"product_id": buy.lamp, "quantity": "3"}]})
    assert r.status_code == 200, r.json
    assert r.json["supplier_reference"] == "Q-77"
    assert [(line["product_id"], line["quantity"]) for line in r.json["lines"]] == \
        [(buy.lamp, "3.000")]
    assert r.json["total"] == "305.10"
    finance.post(f"/purchase-orders/{order['id']}/confirm")
    r = finance.patch(f"/purchase-orders/{order['id']}", json={"notes": "x"})
    assert r.status_code == 409 and r.json["error"]["code"] == "immutable"


def test_confirm_makes_goods_incoming_for_reorder_suggestions(buy, finance, admin_api):
    suggestions = admin_api.get("/stock/reorder-suggestions").json["items"]
    chair = next(s for s in suggestions if s["product_id"] == buy.chair)
    assert (chair["available"], chair["incoming"], chair["suggested_qty"]) == \
        ("4.000", "0.000", "10.000")
    order = buy.order(finance, (buy.chair, 1), (buy.setup, 1))
    # a draft is not incoming
    assert any(s["product_id"] == buy.chair
               for s in admin_api.get("/stock/reorder-suggestions").json["items"])
    confirmed = finance.post(f"/purchase-orders/{order['id']}/confirm").json
    assert confirmed["state"] == "confirmed" and confirmed["confirmed_at"]
    assert confirmed["allowed_actions"] == ["bill", "cancel"]  # the service is billable
    chair = next(s for s in admin_api.get("/stock/reorder-suggestions").json["items"]
                 if s["product_id"] == buy.chair)
    assert (chair["incoming"], chair["suggested_qty"]) == ("1.000", "10.000")
    buy.confirmed(finance, (buy.chair, 1))  # 4 + 2 incoming > 5: no longer low
    assert not any(s["product_id"] == buy.chair
                   for s in admin_api.get("/stock/reorder-suggestions").json["items"])
    r = finance.post(f"/purchase-orders/{order['id']}/confirm")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"


def test_an_order_without_lines_cannot_be_confirmed(buy, finance):
    order = buy.order(finance)
    r = finance.post(f"/purchase-orders/{order['id']}/confirm")
    assert r.status_code == 422 and "lines" in r.json["error"]["fields"]


def test_receiving_in_parts_moves_stock_and_keeps_the_moving_average(buy, finance, warehouse,
                                                                     admin_api, app):
    order = buy.confirmed(finance, (buy.chair, 10, "430.00"), (buy.lamp, 5, "100.00"))
    chair = line_of(order, buy.chair)
    r = warehouse.post(f"/purchase-orders/{order['id']}/receive",
                       json={"lines": [{"line_id": chair["id"], "quantity": "6"}]})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "partially_received"
    assert line_of(r.json, buy.chair)["received_qty"] == "6.000"
    assert line_of(r.json, buy.chair)["to_receive_qty"] == "4.000"
    assert line_of(r.json, buy.lamp)["received_qty"] == "0.000"
    # (4 x 400 + 6 x 430) / 10 = 418
    assert buy.cost(buy.chair) == Decimal("418.0000")
    assert buy.level(buy.chair) == (Decimal("10"), Decimal("0"), Decimal("10"))
    move = admin_api.get(f"/stock/moves?product_id={buy.chair}").json["items"][0]
    assert (move["quantity"], move["unit_cost"], move["reference"]) == \
        ("6.000", "418.0000", order["number"])
    assert (move["from_location_id"], move["to_location_id"]) == \
        (buy.loc["Suppliers"], buy.loc["WH/Stock"])
    # the rest: everything outstanding by default
    r = warehouse.post(f"/purchase-orders/{order['id']}/receive")
    assert r.status_code == 200 and r.json["state"] == "received"
    assert r.json["received_at"]
    # (10 x 418 + 4 x 430) / 14 = 421.428571.. -> 421.4286
    assert buy.cost(buy.chair) == Decimal("421.4286")
    assert buy.cost(buy.lamp) == Decimal("100.0000")  # nothing on hand: the net price
    receipts = warehouse.get(f"/purchase-orders/{order['id']}/receipts").json["items"]
    assert [r["number"] for r in receipts] == ["WH/IN/00001", "WH/IN/00002"]
    assert receipts[1]["lines"][0]["unit_cost"] in ("421.4286", "100.0000")
    r = warehouse.post(f"/purchase-orders/{order['id']}/receive")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    assert row_count(app, Receipt) == 2


def test_a_discount_lowers_the_net_price_of_the_moving_average(buy, finance, warehouse):
    order = buy.order(finance, (buy.lamp, 3))
    finance.patch(f"/purchase-orders/{order['id']}", json={"lines": [
        {"product_id": buy.lamp, "quantity": "3", "unit_price": "99.99",
         "discount_pct": "12.5"}]})
    finance.post(f"/purchase-orders/{order['id']}/confirm")
    warehouse.post(f"/purchase-orders/{order['id']}/receive")
    # 99.99 x 87.5 % = 87.49125 -> 87.4913 (4 places, half up)
    assert buy.cost(buy.lamp) == Decimal("87.4913")


@pytest.mark.parametrize("lines, field, words", [
    ("over", "lines.0.quantity", "outstanding"),
    ("zero", "lines.0.quantity", "greater than"),
    ("negative", "lines.0.quantity", "greater than"),
    ("service", "lines.0.line_id", "service"),
    ("unknown", "lines.0.line_id", "Not a line"),
    ("twice", "lines.1.quantity", "outstanding"),
])
def test_bad_receipts_are_refused_and_nothing_moves(buy, finance, warehouse, app, lines,
                                                    field, words):
    order = buy.confirmed(finance, (buy.chair, 3), (buy.setup, 1))
    chair, setup = line_of(order, buy.chair)["id"], line_of(order, buy.setup)["id"]
    body = {"over": [{"line_id": chair, "quantity": "4"}],
            "zero": [{"line_id": chair, "quantity": "0"}],
            "negative": [{"line_id": chair, "quantity": "-1"}],
            "service": [{"line_id": setup, "quantity": "1"}],
            "unknown": [{"line_id": 999999, "quantity": "1"}],
            "twice": [{"line_id": chair, "quantity": "2"},
                      {"line_id": chair, "quantity": "2"}]}[lines]
    moves = row_count(app, StockMove)
    r = warehouse.post(f"/purchase-orders/{order['id']}/receive", json={"lines": body})
    assert r.status_code == 422, r.json
    assert words in r.json["error"]["fields"][field]
    assert row_count(app, StockMove) == moves
    assert row_count(app, Receipt) == 0
    assert buy.cost(buy.chair) == Decimal("400.0000")
    assert line_of(finance.get(f"/purchase-orders/{order['id']}").json,
                   buy.chair)["received_qty"] == "0.000"


def test_a_draft_cannot_be_received(buy, finance, warehouse):
    order = buy.order(finance, (buy.chair, 3))
    r = warehouse.post(f"/purchase-orders/{order['id']}/receive")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"


def test_a_receipt_reserves_for_waiting_sales_orders_oldest_first(buy, finance, warehouse,
                                                                  sales):
    def sale(qty):
        r = sales.post("/sales-orders", json={"partner_id": buy.customer, "lines": [
            {"product_id": buy.chair, "quantity": str(qty)}]})
        assert r.status_code == 201, r.json
        r = sales.post(f"/sales-orders/{r.json['id']}/confirm")
        assert r.status_code == 200, r.json
        return r.json["id"]

    first, second = sale(6), sale(5)  # 4 in stock: the first gets 4, waits for 2
    reserved = lambda oid: sales.get(f"/sales-orders/{oid}").json["lines"][0]["reserved_qty"]  # noqa: E731
    assert (reserved(first), reserved(second)) == ("4.000", "0.000")
    order = buy.confirmed(finance, (buy.chair, 4))
    warehouse.post(f"/purchase-orders/{order['id']}/receive")
    assert (reserved(first), reserved(second)) == ("6.000", "2.000")
    assert buy.level(buy.chair) == (Decimal("8"), Decimal("8"), Decimal("0"))


def test_billing_takes_what_was_received_and_not_billed(buy, finance, warehouse, app):
    order = buy.confirmed(finance, (buy.chair, 10, "430.00"), (buy.setup, 1, "200.00"),
                          supplier_reference="JG-Q-1")
    chair = line_of(order, buy.chair)
    warehouse.post(f"/purchase-orders/{order['id']}/receive",
                   json={"lines": [{"line_id": chair["id"], "quantity": "6"}]})
    r = finance.post(f"/purchase-orders/{order['id']}/bill")
    assert r.status_code == 201, r.json
    bill = finance.get(f"/invoices/{r.json['invoice_id']}").json
    assert (bill["kind"], bill["state"], bill["number"]) == ("vendor_bill", "draft", None)
    assert bill["purchase_order_id"] == order["id"] and bill["partner_id"] == buy.supplier
    assert [(line["quantity"], line["unit_price"]) for line in bill["lines"]] == \
        [("6.000", "430.00"), ("1.000", "200.00")]
    # 2580 + 335.40 tax; 200 + 12 tax
    assert (bill["untaxed_amount"], bill["tax_amount"], bill["total"]) == \
        ("2780.00", "347.40", "3127.40")
    after = finance.get(f"/purchase-orders/{order['id']}").json
    assert (line_of(after, buy.chair)["billed_qty"], line_of(after, buy.setup)["billed_qty"]) \
        == ("6.000", "1.000")
    assert after["bill_status"] == "partially_billed"
    r = finance.post(f"/purchase-orders/{order['id']}/bill")
    assert r.status_code == 409 and r.json["error"]["code"] == "nothing_to_bill"
    assert row_count(app, Invoice) == 1
    # cancelling the draft bill makes the quantities billable again
    finance.post(f"/invoices/{bill['id']}/cancel")
    after = finance.get(f"/purchase-orders/{order['id']}").json
    assert line_of(after, buy.chair)["billed_qty"] == "0.000"
    assert after["bill_status"] == "to_bill"
    second = finance.post(f"/purchase-orders/{order['id']}/bill").json["invoice_id"]
    post = finance.post(f"/invoices/{second}/post").json
    assert post["number"] == f"BILL/{today().year}/00001"


def test_cancel_before_any_receipt_only(buy, finance, warehouse, admin_api):
    order = buy.confirmed(finance, (buy.chair, 3))
    r = finance.post(f"/purchase-orders/{order['id']}/cancel")
    assert r.status_code == 200 and r.json["state"] == "cancelled"
    assert r.json["allowed_actions"] == []
    other = buy.confirmed(finance, (buy.chair, 3))
    line = line_of(other, buy.chair)["id"]
    warehouse.post(f"/purchase-orders/{other['id']}/receive",
                   json={"lines": [{"line_id": line, "quantity": "1"}]})
    r = finance.post(f"/purchase-orders/{other['id']}/cancel")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"
    assert finance.get(f"/purchase-orders/{other['id']}").json["state"] == "partially_received"


def test_lists_filter_on_state_supplier_text_and_late(buy, finance, warehouse):
    other = buy.partner("Nordic Paper AB", is_supplier=True)
    late = buy.confirmed(finance, (buy.chair, 1), order_date=(today() - timedelta(days=10))
                         .isoformat(), expected_date=(today() - timedelta(days=1)).isoformat())
    on_time = buy.confirmed(finance, (buy.lamp, 1), supplier_id=other)
    draft = buy.order(finance, (buy.lamp, 1), supplier_id=other)
    received_late = buy.confirmed(finance, (buy.lamp, 1),
                                  order_date=(today() - timedelta(days=10)).isoformat(),
                                  expected_date=(today() - timedelta(days=2)).isoformat())
    warehouse.post(f"/purchase-orders/{received_late['id']}/receive")

    def numbers(query):
        r = finance.get(f"/purchase-orders?{query}")
        assert r.status_code == 200, r.json
        return [o["number"] for o in r.json["items"]]

    assert numbers("") == [received_late["number"], draft["number"], on_time["number"],
                           late["number"]]
    assert numbers("state=draft") == [draft["number"]]
    assert numbers(f"supplier_id={other}") == [draft["number"], on_time["number"]]
    assert numbers("q=nordic") == [draft["number"], on_time["number"]]
    assert numbers(f"q={late['number']}") == [late["number"]]
    assert numbers("late=true") == [late["number"]]
    assert finance.get(f"/purchase-orders/{late['id']}").json["late"] is True
    r = finance.get("/purchase-orders?state=nonsense")
    assert r.status_code == 422
    page = finance.get("/purchase-orders?per_page=2&page=2").json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 2, 2)
    queue = warehouse.get("/purchase-orders/to-receive").json["items"]
    assert [o["number"] for o in queue] == [late["number"], on_time["number"]]


def test_from_suggestions_makes_one_draft_per_supplier(buy, finance, warehouse, admin_api):
    other = buy.partner("Nordic Paper AB", is_supplier=True)
    paper = buy.product("PAPER", "A4 Paper", cost="18.2", reorder_point="100",
                        reorder_qty="400", default_supplier_id=other)
    orphan = buy.product("ORPHAN", "No supplier", cost="1", reorder_point="1")
    admin_api.post(f"/products/{paper}/supplier-prices",
                   json={"supplier_id": other, "price": "17.9", "lead_time_days": 21})
    r = warehouse.post("/purchase-orders/from-suggestions")
    assert r.status_code == 201, r.json
    assert r.json["skipped_product_ids"] == [orphan]
    orders = [finance.get(f"/purchase-orders/{i}").json for i in r.json["purchase_order_ids"]]
    assert sorted((o["supplier_id"], o["state"]) for o in orders) == \
        sorted([(buy.supplier, "draft"), (other, "draft")])
    by_supplier = {o["supplier_id"]: o for o in orders}
    assert [(line["product_id"], line["quantity"]) for line in
            by_supplier[buy.supplier]["lines"]] == [(buy.chair, "10.000")]
    paper_order = by_supplier[other]
    assert [(line["product_id"], line["quantity"], line["unit_price"])
            for line in paper_order["lines"]] == [(paper, "400.000", "17.90")]
    assert paper_order["expected_date"] == (today() + timedelta(days=21)).isoformat()
    # drafts are not incoming, so the same suggestions remain until confirmed
    for order in orders:
        finance.post(f"/purchase-orders/{order['id']}/confirm")
    r = warehouse.post("/purchase-orders/from-suggestions")
    assert r.json == {"purchase_order_ids": [], "skipped_product_ids": [orphan]}
    # warehouse may replenish but not write or confirm orders
    assert warehouse.post("/purchase-orders", json={"supplier_id": buy.supplier}
                          ).status_code == 403
    assert warehouse.post(f"/purchase-orders/{orders[0]['id']}/confirm").status_code == 403


@pytest.mark.parametrize("role, method, path, status", [
    ("sales", "get", "/purchase-orders", 403),
    ("support", "get", "/purchase-orders", 403),
    ("sales", "post", "/purchase-orders", 403),
    ("warehouse", "post", "/purchase-orders", 403),
    ("warehouse", "get", "/purchase-orders", 200),
    ("finance", "post", "/purchase-orders/1/receive", 403),
    ("sales", "post", "/purchase-orders/1/receive", 403),
    ("warehouse", "post", "/purchase-orders/1/bill", 403),
    ("warehouse", "post", "/purchase-orders/1/cancel", 403),
    ("sales", "post", "/purchase-orders/from-suggestions", 403),
    ("sales", "get", "/reports/ap-aging", 403),
    ("support", "get", "/reports/ap-aging", 403),
    ("warehouse", "get", "/reports/ap-aging", 403),
    ("finance", "get", "/reports/ap-aging", 200),
])
def test_roles(api_as, role, method, path, status):
    api = api_as(role)
    r = getattr(api, method)(path) if method == "get" else api.post(path, json={})
    assert r.status_code == status, (role, path, r.json)


def test_the_pdf_is_the_order_as_the_supplier_receives_it(buy, finance, tmp_path):
    order = buy.confirmed(finance, (buy.chair, 2), supplier_reference="JG-Q-9")
    r = finance.get(f"/purchase-orders/{order['id']}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(tmp_path, r.data)
    for expected in (order["number"], "苏州精工五金有限公司", "Office Chair 办公椅", "JG-Q-9",
                     "904.00"):
        assert expected in text, expected
    assert finance.get("/purchase-orders/999999/pdf").status_code == 404


def test_clearing_the_expected_date_goes_back_to_the_lead_time(buy, admin_api, finance):
    admin_api.post(f"/products/{buy.chair}/supplier-prices",
                   json={"supplier_id": buy.supplier, "price": "380", "lead_time_days": 9})
    order = buy.order(finance, (buy.chair, 1), expected_date="2030-01-01")
    assert order["expected_date"] == "2030-01-01"
    r = finance.patch(f"/purchase-orders/{order['id']}", json={"expected_date": None})
    assert r.json["expected_date"] == (today() + timedelta(days=9)).isoformat()
    r = finance.patch(f"/purchase-orders/{order['id']}", json={"notes": "n"})
    assert r.json["expected_date"] == (today() + timedelta(days=9)).isoformat()


def test_a_receipt_publishes_goods_received_and_a_confirmation_its_event(app, buy, finance,
                                                                       warehouse):
    from shared.events import GoodsReceived, PurchaseOrderConfirmed
    from tests.conftest import subscribed

    seen = []
    with subscribed(app, GoodsReceived, seen.append), \
            subscribed(app, PurchaseOrderConfirmed, seen.append):
        order = buy.confirmed(finance, (buy.lamp, 2), (buy.chair, 1), (buy.setup, 1))
        warehouse.post(f"/purchase-orders/{order['id']}/receive")
    confirmed, received = seen
    assert (confirmed.order_id, confirmed.supplier_id, confirmed.total) == \
        (order["id"], buy.supplier, Decimal(order["total"]))
    assert received.order_id == order["id"]
    assert received.product_ids == tuple(sorted((buy.lamp, buy.chair)))


def test_a_failing_subscriber_undoes_the_whole_receipt(app, buy, finance, warehouse):
    from shared.events import GoodsReceived
    from tests.conftest import subscribed

    order = buy.confirmed(finance, (buy.chair, 2, "500.00"))

    def refuse(_event):
        raise RuntimeError("boom")

    with subscribed(app, GoodsReceived, refuse):
        r = warehouse.post(f"/purchase-orders/{order['id']}/receive")
    assert r.status_code == 500
    assert buy.level(buy.chair)[0] == Decimal("4") and buy.cost(buy.chair) == Decimal("400")
    assert finance.get(f"/purchase-orders/{order['id']}").json["state"] == "confirmed"
    assert row_count(app, Receipt) == 0
