"""Order to cash, told as the business story (in the spirit of Tryton's scenario_sale.rst).

West Lake Teahouse (西湖茶馆) asks for desk lamps and chairs for its new reading room, plus
installation. Sales qualifies the lead and quotes from the opportunity; confirming reserves
what the warehouse has; the warehouse delivers part; finance invoices what was delivered and
the service; the customer pays part; the rest of the chairs arrive and are delivered; the
second invoice is paid in full. Every amount, state and stock figure is checked on the way,
and at the end the stock ledger and the balances agree.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from tests.sales.conftest import line_of


def test_order_to_cash(app, shop, api_as):
    sales, warehouse, finance = api_as("sales"), api_as("warehouse"), api_as("finance")
    lamp, chair, setup = shop.lamp, shop.chair, shop.setup  # 10 lamps and 5 chairs in stock

    # A lead comes in and is qualified into a customer and an opportunity.
    lead = sales.post("/leads", json={
        "title": "Reading room fit-out 阅览室", "company_name": "西湖茶馆",
        "contact_name": "王芳", "email": "wang.fang@xihu-tea.example", "source": "web",
        "expected_revenue": "5000.00"}).json
    converted = sales.post(f"/leads/{lead['id']}/convert", json={})
    assert converted.status_code == 201, converted.json
    customer_id = converted.json["partner_id"]
    opportunity_id = converted.json["opportunity_id"]
    assert sales.get(f"/opportunities/{opportunity_id}").json["status"] == "open"

    # Sales quotes from the opportunity: 4 lamps, 8 chairs at 10 % off, installation.
    quoted = sales.post(f"/opportunities/{opportunity_id}/quote")
    assert quoted.status_code == 201, quoted.json
    order_id = quoted.json["sales_order_id"]
    r = sales.patch(f"/sales-orders/{order_id}", json={"lines": [
        {"product_id": lamp, "quantity": "4"},
        {"product_id": chair, "quantity": "8", "discount_pct": "10"},
        {"product_id": setup, "quantity": "1"}]})
    assert r.status_code == 200, r.json
    order = r.json
    assert (order["partner_id"], order["opportunity_id"], order["state"]) == \
        (customer_id, opportunity_id, "draft")
    assert [(li["subtotal"], li["tax"], li["total"]) for li in order["lines"]] == [
        ("796.00", "103.48", "899.48"),      # 4 x 199.00, 13 %
        ("3240.00", "421.20", "3661.20"),    # 8 x 450.00 less 10 %, 13 %
        ("300.00", "18.00", "318.00")]       # installation, 6 %
    assert (order["untaxed_amount"], order["tax_amount"], order["total"]) == \
        ("4336.00", "542.68", "4878.68")

    # Confirming reserves what is there (all 4 lamps, 5 of 8 chairs) and wins the deal.
    order = sales.post(f"/sales-orders/{order_id}/confirm").json
    assert (order["state"], order["invoice_status"]) == ("confirmed", "to_invoice")
    assert [li["reserved_qty"] for li in order["lines"]] == ["4.000", "5.000", "0.000"]
    assert shop.level(lamp) == (D(10), D(4), D(6))
    assert shop.level(chair) == (D(5), D(5), D(0))
    opportunity = sales.get(f"/opportunities/{opportunity_id}").json
    assert opportunity["status"] == "won"

    # The warehouse delivers the lamps and 3 chairs; 5 chairs stay open.
    lamp_line, chair_line = line_of(order, lamp), line_of(order, chair)
    r = warehouse.post(f"/sales-orders/{order_id}/deliver", json={"lines": [
        {"line_id": lamp_line["id"], "quantity": "4"},
        {"line_id": chair_line["id"], "quantity": "3"}]})
    assert r.status_code == 200, r.json
    order = r.json
    assert order["state"] == "partially_delivered"
    assert [(li["delivered_qty"], li["reserved_qty"]) for li in order["lines"]] == [
        ("4.000", "0.000"), ("3.000", "2.000"), ("0.000", "0.000")]
    assert shop.level(lamp) == (D(6), D(0), D(6))
    assert shop.level(chair) == (D(2), D(2), D(0))

    # Finance invoices what was delivered, and the service.
    r = finance.post(f"/sales-orders/{order_id}/invoice")
    assert r.status_code == 201, r.json
    first_id = r.json["invoice_id"]
    first = finance.get(f"/invoices/{first_id}").json
    assert [(li["quantity"], li["subtotal"], li["tax"], li["total"]) for li in first["lines"]] \
        == [("4.000", "796.00", "103.48", "899.48"), ("3.000", "1215.00", "157.95", "1372.95"),
            ("1.000", "300.00", "18.00", "318.00")]
    assert (first["untaxed_amount"], first["tax_amount"], first["total"]) == \
        ("2311.00", "279.43", "2590.43")
    order = sales.get(f"/sales-orders/{order_id}").json
    assert order["invoice_status"] == "partially_invoiced"
    assert [li["invoiced_qty"] for li in order["lines"]] == ["4.000", "3.000", "1.000"]

    first = finance.post(f"/invoices/{first_id}/post").json
    year = date.fromisoformat(first["invoice_date"]).year
    assert (first["number"], first["state"], first["amount_due"]) == \
        (f"INV/{year}/00001", "posted", "2590.43")

    # The customer pays 1,000.00 of it.
    r = finance.post("/payments", json={
        "partner_id": customer_id, "amount": "1000.00", "date": first["invoice_date"],
        "method": "bank", "reference": "XH-20261129",
        "allocations": [{"invoice_id": first_id, "amount": "1000.00"}]})
    assert r.status_code == 201, r.json
    first = finance.get(f"/invoices/{first_id}").json
    assert (first["amount_paid"], first["amount_due"], first["state"]) == \
        ("1000.00", "1590.43", "posted")

    # Three more chairs arrive; reserve again, and the rest goes out.
    shop.receive(chair, 3)
    assert shop.level(chair) == (D(5), D(2), D(3))
    order = sales.post(f"/sales-orders/{order_id}/reserve").json
    assert line_of(order, chair)["reserved_qty"] == "5.000"
    assert shop.level(chair) == (D(5), D(5), D(0))
    order = warehouse.post(f"/sales-orders/{order_id}/deliver").json
    assert (order["state"], order["invoice_status"]) == ("delivered", "to_invoice")
    assert shop.level(chair) == (D(0), D(0), D(0))
    deliveries = sales.get(f"/sales-orders/{order_id}/deliveries").json["items"]
    assert [d["number"] for d in deliveries] == ["WH/OUT/00001", "WH/OUT/00002"]

    # The second invoice, for the last 5 chairs.
    second_id = finance.post(f"/sales-orders/{order_id}/invoice").json["invoice_id"]
    second = finance.post(f"/invoices/{second_id}/post").json
    assert [(li["quantity"], li["total"]) for li in second["lines"]] == [("5.000", "2288.25")]
    assert (second["number"], second["untaxed_amount"], second["tax_amount"],
            second["total"]) == (f"INV/{year}/00002", "2025.00", "263.25", "2288.25")
    order = sales.get(f"/sales-orders/{order_id}").json
    assert order["invoice_status"] == "invoiced"
    assert D(first["total"]) + D(second["total"]) == D(order["total"])

    # Full payment of both.
    r = finance.post("/payments", json={
        "partner_id": customer_id, "amount": "3878.68", "date": second["invoice_date"],
        "method": "bank", "allocations": [{"invoice_id": first_id, "amount": "1590.43"},
                                          {"invoice_id": second_id, "amount": "2288.25"}]})
    assert r.status_code == 201, r.json
    for invoice_id in (first_id, second_id):
        invoice = finance.get(f"/invoices/{invoice_id}").json
        assert (invoice["state"], invoice["amount_due"]) == ("paid", "0.00")

    # The customer's page tells the same story from the one database.
    summary = finance.get(f"/partners/{customer_id}/summary").json
    assert summary["totals"] == {"open_amount_due": "0.00", "overdue_amount": "0.00",
                                 "lifetime_revenue": "4336.00"}
    assert [o["id"] for o in summary["sales_orders"]] == [order_id]
    assert summary["sales_orders"][0]["invoice_status"] == "invoiced"
    assert {i["id"] for i in summary["invoices"]} == {first_id, second_id}
    assert len(summary["payments"]) == 2

    # And the stock ledger agrees with every balance.
    result = app.test_cli_runner().invoke(args=["stock-check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output
