"""Procure to pay, told as the business story (in the spirit of Tryton's
scenario_purchase.rst).

Office chairs run low: 4 are on hand, and a customer's order for 6 takes them all and waits
for 2 more. The low-stock list suggests 10; the clerk turns the suggestion into a draft
purchase order for the chairs' supplier, who quotes 380.00 a chair, 365.00 from 10, in 14
days. Finance confirms it. The supplier delivers 6 first: the cost moves to the moving
average and the 2 chairs the customer waits for are reserved at once. The other 4 arrive.
Finance bills what was received, pays part, watches it age, and pays the rest. Every amount,
state and stock figure is checked on the way, and at the end the ledger and the balances
agree.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from erp.inventory.drift import find_drift
from tests.conftest import today
from tests.purchasing.conftest import buy, line_of  # noqa: F401


def test_procure_to_pay(app, buy, api_as):  # noqa: F811
    sales, warehouse, finance = api_as("sales"), api_as("warehouse"), api_as("finance")
    chair = buy.chair  # 4 on hand at 400.0000, reorder point 5, reorder quantity 10
    assert buy.level(chair) == (D(4), D(0), D(4)) and buy.cost(chair) == D("400.0000")

    # The supplier's prices for chairs: 380.00 each, 365.00 from 10, delivered in 14 days.
    for price, min_qty in (("380.00", "1"), ("365.00", "10")):
        r = warehouse.post(f"/products/{chair}/supplier-prices", json={
            "supplier_id": buy.supplier, "supplier_sku": "JG-CH-02", "price": price,
            "min_qty": min_qty, "lead_time_days": 14})
        assert r.status_code == 201, r.json

    # A customer orders 6 chairs: the 4 on hand are reserved, 2 wait.
    sale = sales.post("/sales-orders", json={"partner_id": buy.customer, "lines": [
        {"product_id": chair, "quantity": "6", "unit_price": "650.00"}]}).json
    sale = sales.post(f"/sales-orders/{sale['id']}/confirm").json
    assert sale["state"] == "confirmed"
    assert line_of(sale, chair)["reserved_qty"] == "4.000"
    assert buy.level(chair) == (D(4), D(4), D(0))

    # Low stock: nothing available, nothing incoming; the suggestion is the reorder quantity.
    suggestion = next(s for s in warehouse.get("/stock/reorder-suggestions").json["items"]
                      if s["product_id"] == chair)
    assert (suggestion["available"], suggestion["incoming"], suggestion["reorder_point"],
            suggestion["suggested_qty"], suggestion["supplier_id"]) == \
        ("0.000", "0.000", "5.000", "10.000", buy.supplier)

    # The clerk turns it into a draft order: 10 chairs at the price from 10, in 14 days.
    made = warehouse.post("/purchase-orders/from-suggestions")
    assert made.status_code == 201, made.json
    assert made.json["skipped_product_ids"] == []
    (order_id,) = made.json["purchase_order_ids"]
    order = finance.get(f"/purchase-orders/{order_id}").json
    assert (order["number"], order["state"], order["supplier_id"]) == \
        ("PO00001", "draft", buy.supplier)
    line = line_of(order, chair)
    assert (line["quantity"], line["unit_price"], line["supplier_sku"]) == \
        ("10.000", "365.00", "JG-CH-02")
    assert (line["subtotal"], line["tax"], line["total"]) == ("3650.00", "474.50", "4124.50")
    assert (order["untaxed_amount"], order["tax_amount"], order["total"]) == \
        ("3650.00", "474.50", "4124.50")
    assert order["expected_date"] == (today() + timedelta(days=14)).isoformat()

    # Finance confirms: the 10 chairs are incoming, and the chair is no longer low.
    order = finance.post(f"/purchase-orders/{order_id}/confirm").json
    assert order["state"] == "confirmed"
    assert order["allowed_actions"] == ["cancel"]  # finance neither receives nor bills yet
    assert not any(s["product_id"] == chair
                   for s in warehouse.get("/stock/reorder-suggestions").json["items"])

    # The first 6 chairs arrive: the cost is the moving average, the waiting 2 are reserved.
    r = warehouse.post(f"/purchase-orders/{order_id}/receive", json={"lines": [
        {"line_id": line["id"], "quantity": "6"}]})
    assert r.status_code == 200, r.json
    order = r.json
    assert order["state"] == "partially_received"
    assert (line_of(order, chair)["received_qty"], line_of(order, chair)["to_receive_qty"]) \
        == ("6.000", "4.000")
    assert buy.cost(chair) == D("379.0000")  # (4 x 400 + 6 x 365) / 10
    assert buy.level(chair) == (D(10), D(6), D(4))
    sale = sales.get(f"/sales-orders/{sale['id']}").json
    assert line_of(sale, chair)["reserved_qty"] == "6.000"
    receipt_move = warehouse.get(f"/stock/moves?product_id={chair}").json["items"][0]
    assert (receipt_move["quantity"], receipt_move["unit_cost"], receipt_move["reference"]) \
        == ("6.000", "379.0000", "PO00001")
    # what has arrived cannot be cancelled
    r = finance.post(f"/purchase-orders/{order_id}/cancel")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"

    # The other 4 arrive; receiving more than that is refused and moves nothing.
    r = warehouse.post(f"/purchase-orders/{order_id}/receive", json={"lines": [
        {"line_id": line["id"], "quantity": "5"}]})
    assert r.status_code == 422
    assert "4" in r.json["error"]["fields"]["lines.0.quantity"]
    assert buy.level(chair) == (D(10), D(6), D(4))
    order = warehouse.post(f"/purchase-orders/{order_id}/receive").json
    assert order["state"] == "received"
    assert buy.cost(chair) == D("375.0000")  # (10 x 379 + 4 x 365) / 14
    assert buy.level(chair) == (D(14), D(6), D(8))
    receipts = warehouse.get(f"/purchase-orders/{order_id}/receipts").json["items"]
    assert [(r["number"], r["lines"][0]["quantity"], r["lines"][0]["unit_cost"])
            for r in receipts] == [("WH/IN/00001", "6.000", "379.0000"),
                                   ("WH/IN/00002", "4.000", "375.0000")]

    # Finance bills what was received: 10 chairs, once.
    r = finance.post(f"/purchase-orders/{order_id}/bill")
    assert r.status_code == 201, r.json
    bill_id = r.json["invoice_id"]
    again = finance.post(f"/purchase-orders/{order_id}/bill")
    assert again.status_code == 409 and again.json["error"]["code"] == "nothing_to_bill"
    bill = finance.get(f"/invoices/{bill_id}").json
    assert (bill["kind"], bill["state"], bill["purchase_order_id"]) == \
        ("vendor_bill", "draft", order_id)
    assert [(li["quantity"], li["unit_price"], li["subtotal"], li["tax"], li["total"])
            for li in bill["lines"]] == [("10.000", "365.00", "3650.00", "474.50", "4124.50")]
    order = finance.get(f"/purchase-orders/{order_id}").json
    assert (line_of(order, chair)["billed_qty"], order["bill_status"]) == ("10.000", "billed")

    # Posting numbers it; the supplier's 30 days give the due date.
    bill = finance.post(f"/invoices/{bill_id}/post").json
    assert (bill["number"], bill["state"], bill["amount_due"]) == \
        (f"BILL/{today().year}/00001", "posted", "4124.50")
    assert bill["due_date"] == (today() + timedelta(days=30)).isoformat()

    # A first payment of 2,000.00.
    r = finance.post("/payments", json={
        "partner_id": buy.supplier, "amount": "2000.00", "date": today().isoformat(),
        "method": "bank", "reference": "TT-1",
        "allocations": [{"invoice_id": bill_id, "amount": "2000.00"}]})
    assert r.status_code == 201, r.json
    bill = finance.get(f"/invoices/{bill_id}").json
    assert (bill["state"], bill["amount_paid"], bill["amount_due"]) == \
        ("posted", "2000.00", "2124.50")

    # AP aging: current today; 15 days past due 45 days from now.
    aging = finance.get("/reports/ap-aging").json
    assert aging["items"] == [{"partner_id": buy.supplier, "name": "苏州精工五金有限公司",
                               "current": "2124.50", "d1_30": "0.00", "d31_60": "0.00",
                               "d61_90": "0.00", "d90_plus": "0.00", "total": "2124.50"}]
    later = (today() + timedelta(days=45)).isoformat()
    aging = finance.get(f"/reports/ap-aging?as_of={later}").json
    assert (aging["items"][0]["current"], aging["items"][0]["d1_30"]) == ("0.00", "2124.50")
    assert aging["totals"]["total"] == "2124.50"
    # what we owe is no receivable
    assert finance.get("/reports/ar-aging").json["items"] == []

    # The rest is paid: the bill is paid and nothing is owed any more.
    r = finance.post("/payments", json={
        "partner_id": buy.supplier, "amount": "2124.50", "date": today().isoformat(),
        "method": "bank", "reference": "TT-2",
        "allocations": [{"invoice_id": bill_id, "amount": "2124.50"}]})
    assert r.status_code == 201, r.json
    bill = finance.get(f"/invoices/{bill_id}").json
    assert (bill["state"], bill["amount_paid"], bill["amount_due"]) == \
        ("paid", "4124.50", "0.00")
    assert finance.get("/reports/ap-aging").json["items"] == []

    # The customer's 6 chairs can go; the ledger and the balances agree.
    delivered = warehouse.post(f"/sales-orders/{sale['id']}/deliver").json
    assert delivered["state"] == "delivered"
    assert buy.level(chair) == (D(8), D(0), D(8))
    assert buy.cost(chair) == D("375.0000")  # a delivery leaves the cost alone
    out = warehouse.get(f"/stock/moves?product_id={chair}").json["items"][0]
    assert (out["quantity"], out["unit_cost"]) == ("6.000", "375.0000")
    with app.app_context():
        assert find_drift() == []
