"""Sales pages: list, quotation form (product picker with stock, live totals, field errors),
order page with the buttons each role may use, the warehouse's queue and delivery page, the
home cards, and the links between orders and invoices."""
from __future__ import annotations

from decimal import Decimal

import pytest

from erp.sales.models import SalesOrder, SalesOrderLine
from tests.conftest import csrf_token, row_count, sql_statements, today
from tests.sales.conftest import line_of


def switch_to(client, login_as, role):
    """Sign out whoever is signed in, then sign in as a new user with `role`."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return login_as(role)


def _form(token, partner_id, *lines, **extra):
    """The quotation form's post: lines are (product_id, quantity, unit_price)."""
    data = {"csrf_token": token, "partner_id": str(partner_id),
            "order_date": today().isoformat(), "customer_reference": "PO-77",
            "notes": "", **extra}
    for name, index in (("product_id", 0), ("quantity", 1), ("unit_price", 2)):
        data[f"line-{name}"] = [str(line[index]) for line in lines] + [""]
    data["line-product_search"] = ["x" for _ in lines] + [""]
    for name in ("description", "discount_pct", "tax_rate"):
        data[f"line-{name}"] = ["" for _ in lines] + [""]
    return data


def test_form_creates_a_quotation_with_lines(app, client, login_as, shop):
    login_as("sales")
    token = csrf_token(client, "/sales/orders/new")
    r = client.post("/sales/orders/new", data=_form(token, shop.customer,
                                                    (shop.lamp, 2, "199.00"),
                                                    (shop.setup, 1, "")))
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "SO00001" in html and "Quotation" in html
    # 2 x 199 at 13 % = 449.74, installation 300 at 6 % (the product's) = 318.00
    assert "767.74" in html
    with app.app_context():
        from shared.extensions import db
        order = db.session.query(SalesOrder).one()
        assert order.customer_reference == "PO-77" and len(order.lines) == 2
        assert order.lines[1].tax_rate == Decimal("6.00")


def test_field_errors_beside_the_fields_and_nothing_written(app, client, login_as, shop):
    login_as("sales")
    token = csrf_token(client, "/sales/orders/new")
    data = _form(token, shop.customer, (shop.lamp, "-1", "199.00"), ("", "2", "5"))
    r = client.post("/sales/orders/new", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert html.count('data-testid="line-error"') == 2
    assert "Pick a product from the list." in html
    assert 'name="line-quantity" aria-label="Quantity" value="-1"' in html  # kept as typed
    assert row_count(app, SalesOrder) == 0
    # a supplier-only partner is refused beside the customer field
    supplier = shop.partner("Parts Supplier", is_customer=False, is_supplier=True)
    r = client.post("/sales/orders/new", data=_form(token, supplier, (shop.lamp, 1, "")))
    assert r.status_code == 422 and "is-invalid" in r.get_data(as_text=True)
    assert row_count(app, SalesOrder) == 0


def test_product_picker_shows_stock_and_live_totals(client, login_as, shop):
    sales_api = shop.api
    shop.order(sales_api, (shop.chair, 2)).get("id")  # a draft reserves nothing
    order = shop.order(sales_api, (shop.chair, 3))
    sales_api.post(f"/sales-orders/{order['id']}/confirm")
    login_as("sales")
    html = client.get("/sales/products/picker?line-product_search=chair").get_data(as_text=True)
    assert "CHAIR" in html and "LAMP" not in html
    assert "On hand 5" in html and "Reserved 3" in html
    assert 'data-testid="picker-available">2<' in html
    assert 'data-price="450.00"' in html and 'data-tax="13.00"' in html
    token = csrf_token(client, "/sales/orders/new")
    r = client.post("/sales/orders/totals", data=_form(token, shop.customer,
                                                       (shop.chair, 2, "450.00")))
    assert r.status_code == 200 and "1,017.00" in r.get_data(as_text=True)


def test_edit_keeps_its_url_and_only_drafts(client, login_as, shop):
    order = shop.order(shop.api, (shop.lamp, 1))
    login_as("sales")
    html = client.get(f"/sales/orders/{order['id']}/edit").get_data(as_text=True)
    assert "LAMP · LED 台灯 Desk Lamp" in html and "Edit quotation SO00001" in html
    token = csrf_token(client, f"/sales/orders/{order['id']}/edit")
    r = client.post(f"/sales/orders/{order['id']}/edit",
                    data=_form(token, shop.customer, (shop.lamp, 4, "190.00")))
    assert r.status_code == 302
    again = shop.api.get(f"/sales-orders/{order['id']}").json
    assert again["lines"][0]["quantity"] == "4.000" and again["total"] == "858.80"
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    r = client.get(f"/sales/orders/{order['id']}/edit")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/sales/orders/{order['id']}")


def _actions(client, order_id) -> str:
    html = client.get(f"/sales/orders/{order_id}").get_data(as_text=True)
    return html.split('data-testid="order-actions"')[1].split("</div>")[0]


@pytest.mark.parametrize("role,shown,hidden", [
    ("sales", {"edit", "confirm", "cancel", "download-pdf"}, {"deliver", "invoice"}),
    ("admin", {"edit", "confirm", "cancel", "download-pdf"}, {"deliver", "invoice"}),
    ("warehouse", {"download-pdf"}, {"edit", "confirm", "cancel"}),
    ("finance", {"download-pdf"}, {"edit", "confirm", "cancel"}),
    ("support", {"download-pdf"}, {"edit", "confirm", "cancel"}),
])
def test_draft_buttons_per_role(client, login_as, shop, role, shown, hidden):
    order = shop.order(shop.api, (shop.lamp, 1))
    login_as(role)
    actions = _actions(client, order["id"])
    for name in shown:
        assert f'data-testid="{name}"' in actions, name
    for name in hidden:
        assert f'data-testid="{name}"' not in actions, name


def test_confirm_says_what_waits_and_warehouse_sees_deliver(client, login_as, shop):
    order = shop.order(shop.api, (shop.chair, 8), (shop.lamp, 1))
    login_as("sales")
    token = csrf_token(client, f"/sales/orders/{order['id']}")
    r = client.post(f"/sales/orders/{order['id']}/confirm", data={"csrf_token": token},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "CHAIR: 5 of 8 reserved, 3 waiting" in html
    assert 'data-testid="reserve"' in html and 'data-testid="deliver"' not in html
    switch_to(client, login_as, "warehouse")
    actions = _actions(client, order["id"])
    assert 'data-testid="deliver"' in actions and 'data-testid="reserve"' in actions
    assert 'data-testid="invoice"' not in actions


def test_credit_limit_refusal_and_finance_override(client, login_as, shop):
    partner = shop.partner("Tight Credit Ltd", credit_limit="100.00")
    order = shop.order(shop.api, (shop.lamp, 1), partner_id=partner)
    login_as("sales")
    html = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert 'data-testid="credit"' in html and "224.87" in html and "100.00" in html
    assert 'data-testid="override-form"' not in html  # sales may not override
    token = csrf_token(client, f"/sales/orders/{order['id']}")
    r = client.post(f"/sales/orders/{order['id']}/confirm", data={"csrf_token": token},
                    headers={"Referer": f"/sales/orders/{order['id']}"}, follow_redirects=True)
    assert "Credit limit exceeded" in r.get_data(as_text=True)
    assert shop.api.get(f"/sales-orders/{order['id']}").json["state"] == "draft"
    switch_to(client, login_as, "finance")
    html = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert 'data-testid="override-form"' in html and 'data-testid="confirm"' not in html
    token = csrf_token(client, f"/sales/orders/{order['id']}")
    # finance confirms only with the override
    r = client.post(f"/sales/orders/{order['id']}/confirm", data={"csrf_token": token})
    assert r.status_code == 403
    r = client.post(f"/sales/orders/{order['id']}/confirm", data={
        "csrf_token": token, "override_credit_limit": "y", "override_reason": "Paid upfront"})
    assert r.status_code == 302
    after = shop.api.get(f"/sales-orders/{order['id']}").json
    assert after["state"] == "confirmed" and after["credit_override_reason"] == "Paid upfront"


def test_delivery_page_delivers_scanned_quantities(app, client, login_as, shop):
    order = shop.order(shop.api, (shop.chair, 3), (shop.lamp, 4), (shop.setup, 1))
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    chair, lamp = line_of(order, shop.chair), line_of(order, shop.lamp)
    login_as("warehouse")
    html = client.get("/sales/to-deliver").get_data(as_text=True)
    assert order["number"] in html and "CHAIR × 3" in html
    page = client.get(f"/sales/orders/{order['id']}/deliver").get_data(as_text=True)
    assert "autofocus" in page and f'name="qty-{chair["id"]}"' in page
    assert f'name="qty-{chair["id"]}" value="3"' in page  # defaults to what is reserved
    assert "SETUP" not in page  # services are not delivered
    token = csrf_token(client, f"/sales/orders/{order['id']}/deliver")
    url = f"/sales/orders/{order['id']}/deliver"
    # a scan without JavaScript: the line's quantity goes up by one, nothing is written
    r = client.post(url, data={"csrf_token": token, "code": "lamp", "action": "scan",
                               f"qty-{chair['id']}": "", f"qty-{lamp['id']}": "1"})
    html = r.get_data(as_text=True)
    assert 'data-testid="scan-success"' in html and f'name="qty-{lamp["id"]}" value="2"' in html
    r = client.post(url, data={"csrf_token": token, "code": "NOPE", "action": "scan"})
    assert 'data-testid="scan-error"' in r.get_data(as_text=True)
    # over-delivery is refused beside the line, nothing moves
    r = client.post(url, data={"csrf_token": token, "action": "deliver",
                               f"qty-{chair['id']}": "5", f"qty-{lamp['id']}": "2"})
    assert r.status_code == 422
    assert "Only 3 of CHAIR are left to deliver." in r.get_data(as_text=True)
    assert shop.level(shop.chair)[0] == 5
    r = client.post(url, data={"csrf_token": token, "action": "deliver",
                               f"qty-{chair['id']}": "", f"qty-{lamp['id']}": "2"})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Delivered: LAMP × 2." in html and "WH/OUT/00001" in html
    after = shop.api.get(f"/sales-orders/{order['id']}").json
    assert line_of(after, shop.lamp)["delivered_qty"] == "2.000"
    assert line_of(after, shop.chair)["delivered_qty"] == "0.000"
    assert after["state"] == "partially_delivered"


def test_delivery_beyond_stock_is_refused_plainly(client, login_as, shop):
    order = shop.order(shop.api, (shop.chair, 8))
    shop.api.post(f"/sales-orders/{order['id']}/confirm")  # 5 reserved, 3 waiting
    line = order["lines"][0]
    login_as("warehouse")
    url = f"/sales/orders/{order['id']}/deliver"
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "action": "deliver",
                               f"qty-{line['id']}": "8"})
    assert r.status_code == 409 and 'data-testid="scan-error"' in r.get_data(as_text=True)
    assert shop.level(shop.chair) == (5, 5, 0)


def test_invoice_from_the_order_and_links_both_ways(client, login_as, shop):
    order = shop.order(shop.api, (shop.lamp, 2))
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    shop.api.post(f"/sales-orders/{order['id']}/deliver")
    login_as("finance")
    assert 'data-testid="invoice"' in _actions(client, order["id"])
    token = csrf_token(client, f"/sales/orders/{order['id']}")
    r = client.post(f"/sales/orders/{order['id']}/invoice", data={"csrf_token": token})
    assert r.status_code == 302 and "/invoices/" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="sales-order-link"' in html and order["number"] in html
    html = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert 'data-testid="invoices"' in html and "Draft invoice" in html
    assert 'data-testid="invoice"' not in _actions(client, order["id"])  # nothing left


def test_list_filters_search_and_badges(client, login_as, shop):
    other = shop.partner("Harbor Lights Retail Ltd")
    draft = shop.order(shop.api, (shop.lamp, 1))
    confirmed = shop.order(shop.api, (shop.lamp, 1), partner_id=other)
    shop.api.post(f"/sales-orders/{confirmed['id']}/confirm")
    login_as("support")
    html = client.get("/sales/orders").get_data(as_text=True)
    assert html.index(confirmed["number"]) < html.index(draft["number"])  # newest first
    assert ">Quotation<" in html and ">Confirmed<" in html
    html = client.get("/sales/orders?state=draft").get_data(as_text=True)
    assert draft["number"] in html and confirmed["number"] not in html
    html = client.get("/sales/orders?q=harbor", headers={"HX-Request": "true"}
                      ).get_data(as_text=True)
    assert "<html" not in html, html[html.find("<main"):]
    assert confirmed["number"] in html and draft["number"] not in html
    assert client.get("/sales/orders?state=bogus").status_code == 200
    # the API's ?q= goes through the same query
    found = shop.api.get("/sales-orders?q=harbor").json["items"]
    assert [o["number"] for o in found] == [confirmed["number"]]


def test_list_statement_count_does_not_grow_with_rows(app, client, login_as, shop):
    login_as("sales")
    shop.order(shop.api, (shop.lamp, 1), (shop.chair, 1))
    _, few = sql_statements(app, lambda: client.get("/sales/orders"))
    for _ in range(6):
        shop.order(shop.api, (shop.lamp, 1), (shop.chair, 1))
    response, many = sql_statements(app, lambda: client.get("/sales/orders"))
    assert response.status_code == 200 and "SO00007" in response.get_data(as_text=True)
    assert len(many) == len(few)


@pytest.mark.parametrize("role,url,method", [
    ("warehouse", "/sales/orders/new", "GET"),
    ("finance", "/sales/orders/new", "GET"),
    ("support", "/sales/products/picker", "GET"),
    ("sales", "/sales/orders/{id}/deliver", "GET"),
    ("finance", "/sales/orders/{id}/deliver", "POST"),
    ("sales", "/sales/orders/{id}/invoice", "POST"),
    ("warehouse", "/sales/orders/{id}/invoice", "POST"),
    ("warehouse", "/sales/orders/{id}/confirm", "POST"),
    ("support", "/sales/orders/{id}/cancel", "POST"),
])
def test_forbidden_per_role(client, login_as, shop, role, url, method):
    order = shop.order(shop.api, (shop.lamp, 1))
    login_as(role)
    token = csrf_token(client, "/")
    r = client.open(url.format(id=order["id"]), method=method, data={"csrf_token": token})
    assert r.status_code == 403
    assert row_count(client.application, SalesOrderLine) == 1


def test_home_cards_per_role(client, login_as, shop):
    order = shop.order(shop.api, (shop.lamp, 1))
    shop.order(shop.api, (shop.lamp, 1))
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    login_as("warehouse")
    html = client.get("/").get_data(as_text=True)
    assert "Orders to deliver" in html and "Quotations open" not in html
    switch_to(client, login_as, "sales")
    html = client.get("/").get_data(as_text=True)
    assert "Quotations open" in html and "Orders to deliver" not in html
    assert ">Sales orders<" in html
    switch_to(client, login_as, "finance")
    assert "Orders to invoice" in client.get("/").get_data(as_text=True)


def test_cancel_from_the_page(client, login_as, shop):
    order = shop.order(shop.api, (shop.lamp, 2))
    shop.api.post(f"/sales-orders/{order['id']}/confirm")
    login_as("sales")
    token = csrf_token(client, f"/sales/orders/{order['id']}")
    r = client.post(f"/sales/orders/{order['id']}/cancel", data={"csrf_token": token},
                    follow_redirects=True)
    assert "cancelled" in r.get_data(as_text=True)
    assert shop.level(shop.lamp) == (10, 0, 10)


def test_warehouse_reserves_arrivals_for_waiting_orders(client, login_as, shop, sales):
    order = shop.order(sales, (shop.chair, 8))
    sales.post(f"/sales-orders/{order['id']}/confirm")
    shop.receive(shop.chair, 2)
    login_as("warehouse")
    html = client.get(f"/sales/orders/{order['id']}").get_data(as_text=True)
    assert 'data-testid="reserve"' in html
    token = csrf_token(client, "/sales/to-deliver")
    r = client.post("/sales/reserve-waiting", data={"csrf_token": token},
                    follow_redirects=True)
    assert "Stock reserved for SO00001." in r.get_data(as_text=True)
    assert shop.level(shop.chair) == (Decimal(7), Decimal(7), Decimal(0))
    r = client.post("/sales/reserve-waiting", data={"csrf_token": token},
                    follow_redirects=True)
    assert "No waiting order could get more stock." in r.get_data(as_text=True)


def test_finance_cannot_reserve_for_waiting_orders(client, login_as, shop):
    login_as("finance")
    assert 'data-testid="reserve-waiting"' not in \
        client.get("/sales/to-deliver").get_data(as_text=True)
    token = csrf_token(client, "/sales/to-deliver")
    assert client.post("/sales/reserve-waiting", data={"csrf_token": token}).status_code == 403
