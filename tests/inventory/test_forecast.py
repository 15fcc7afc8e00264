"""The product forecast (API.md, Reports and forecasts): demand of the last 30 and 90 days
from the ledger, available and incoming stock, days of cover and the expected stock-out; on
the API, on reorder suggestions, the product page and the low-stock page."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from erp.inventory import forecast
from tests.conftest import csrf_token, sql_statements

ZONE = ZoneInfo("Asia/Shanghai")  # TestConfig's company time zone
TODAY = date(2026, 6, 15)
NOW = datetime.combine(TODAY, time(10, 0), tzinfo=ZONE)


def at(days_ago: int, hh_mm: str = "12:00") -> datetime:
    """A moment `days_ago` days before TODAY, company time."""
    return datetime.combine(TODAY - timedelta(days=days_ago), time.fromisoformat(hh_mm),
                            tzinfo=ZONE)


@pytest.fixture
def history(stock):
    """One product's year, worked out by hand below (WH/Stock unless named):

    receipt 300 (120 days ago)                      counts nowhere (from a supplier)
    delivery 20 (100 days ago)                      outside both windows
    delivery 8 (90 days ago, 23:59:59)              outside: the 90 days start 89 days ago
    delivery 12 (89 days ago, 00:00:30)             90 days only
    delivery 7 (30 days ago, 23:59)                 90 days only
    delivery 9 (29 days ago, 00:01)                 30 and 90 days
    delivery 6 (95 days ago) reversed 5 days ago    nowhere: its delivery is outside
    delivery 4 (10 days ago) reversed 9 days ago    nowhere: reversed
    transfer 10 WH/Stock -> SHELF (20 days ago)     counts nowhere (internal)
    adjustment 3 out (15 days ago)                  counts nowhere (not a customer)
    return 2 from the customer (3 days ago)         counts nowhere (not a reversal)
    purchase receipt 10 of an order of 30 (2 days ago), 20 still incoming
    delivery 5 from SHELF (today, 09:00)            30 and 90 days
    a confirmed sales order reserves 18

    demand_30 = 9 + 5 = 14; demand_90 = 12 + 7 + 9 + 5 = 33
    on hand: WH/Stock 300-20-8-12-7-9-6+6-4+4-10-3+2+10 = 243, SHELF 10-5 = 5 -> 248
    available = 248 - 18 = 230; incoming = 30 - 10 = 20
    avg_daily_demand = 14 / 30 = 0.4666.. -> 0.467
    days_of_cover = (230 + 20) / 0.467 = 535.33.. -> 535.3; stock-out = today + 535 days
    """
    api = stock.api
    stock.location("SHELF")
    supplier = api.post("/partners", json={"name": "Supplier", "is_supplier": True}).json["id"]
    customer = api.post("/partners", json={"name": "Customer"}).json["id"]
    lamp = stock.product("LAMP", reorder_point="260", reorder_qty="50",
                         default_supplier_id=supplier)

    def move(when, qty, source, target):
        with time_machine.travel(when, tick=False):
            return stock.transfer(lamp, qty, source, target)

    def reverse(when, move_id):
        with time_machine.travel(when, tick=False):
            response = api.post(f"/stock/moves/{move_id}/reverse")
            assert response.status_code == 201, response.json

    move(at(120), 300, "Suppliers", "WH/Stock")
    move(at(100), 20, "WH/Stock", "Customers")
    move(at(90, "23:59:59"), 8, "WH/Stock", "Customers")
    move(at(89, "00:00:30"), 12, "WH/Stock", "Customers")
    move(at(30, "23:59"), 7, "WH/Stock", "Customers")
    move(at(29, "00:01"), 9, "WH/Stock", "Customers")
    reverse(at(5), move(at(95), 6, "WH/Stock", "Customers")["id"])
    reverse(at(9), move(at(10), 4, "WH/Stock", "Customers")["id"])
    move(at(20), 10, "WH/Stock", "SHELF")
    move(at(15), 3, "WH/Stock", "Adjustments")
    move(at(3), 2, "Customers", "WH/Stock")
    with time_machine.travel(at(2), tick=False):
        order = api.post("/purchase-orders", json={
            "supplier_id": supplier,
            "lines": [{"product_id": lamp, "quantity": "30", "unit_price": "10"}]}).json
        assert api.post(f"/purchase-orders/{order['id']}/confirm").status_code == 200
        received = api.post(f"/purchase-orders/{order['id']}/receive", json={
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": "10"}]})
        assert received.status_code == 200, received.json
        sale = api.post("/sales-orders", json={
            "partner_id": customer,
            "lines": [{"product_id": lamp, "quantity": "18", "unit_price": "20"}]}).json
        assert api.post(f"/sales-orders/{sale['id']}/confirm").status_code == 200
    move(at(0, "09:00"), 5, "SHELF", "Customers")
    return lamp


EXPECTED = {"available": "230.000", "incoming": "20.000", "demand_30": "14.000",
            "demand_90": "33.000", "avg_daily_demand": "0.467", "days_of_cover": "535.3",
            "stockout_date": (TODAY + timedelta(days=535)).isoformat()}


def test_forecast_of_a_constructed_history(stock, history):
    assert stock.level(history, "WH/Stock")[:2] == (243, 18)
    with time_machine.travel(NOW, tick=False):
        response = stock.api.get(f"/products/{history}/forecast")
    assert response.status_code == 200, response.json
    assert response.json == {"product_id": history, **EXPECTED}


def test_the_windows_move_with_today(stock, history):
    # Tomorrow the delivery of 89 days ago falls out of the 90 days and the one of 29 days
    # ago out of the 30 (it is then 30 days old); today's deliveries still count.
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        body = stock.api.get(f"/products/{history}/forecast").json
    assert (body["demand_30"], body["demand_90"]) == ("5.000", "21.000")
    assert body["avg_daily_demand"] == "0.167"  # 5 / 30
    assert body["days_of_cover"] == "1497.0"  # 250 / 0.167 = 1497.005..
    assert body["stockout_date"] == (TODAY + timedelta(days=1 + 1497)).isoformat()


def test_days_of_cover_rounds_to_one_place_and_the_stockout_floors_it(stock):
    # 9.96 available, 30 delivered in 30 days: 9.96 / 1.000 = 9.96 -> 10.0 days -> +10
    # 9.94 available: 9.94 -> 9.9 days -> +9
    ids = {}
    for sku, qty in (("ROUNDUP", "39.96"), ("ROUNDDOWN", "39.94")):
        ids[sku] = stock.product(sku)
        with time_machine.travel(at(40), tick=False):
            stock.receive(ids[sku], qty)
        with time_machine.travel(at(1), tick=False):
            stock.transfer(ids[sku], 30, "WH/Stock", "Customers")
    with time_machine.travel(NOW, tick=False):
        up = stock.api.get(f"/products/{ids['ROUNDUP']}/forecast").json
        down = stock.api.get(f"/products/{ids['ROUNDDOWN']}/forecast").json
    assert (up["avg_daily_demand"], up["days_of_cover"]) == ("1.000", "10.0")
    assert up["stockout_date"] == (TODAY + timedelta(days=10)).isoformat()
    assert (down["days_of_cover"], down["stockout_date"]) == \
        ("9.9", (TODAY + timedelta(days=9)).isoformat())


def test_no_demand_gives_nulls(stock):
    idle, old = stock.product("IDLE"), stock.product("OLD")
    stock.receive(idle, 5)
    with time_machine.travel(at(40), tick=False):
        stock.receive(old, 10)
        stock.transfer(old, 3, "WH/Stock", "Customers")  # 90 days only
    with time_machine.travel(NOW, tick=False):
        body = stock.api.get(f"/products/{idle}/forecast").json
        older = stock.api.get(f"/products/{old}/forecast").json
    assert body == {"product_id": idle, "available": "5.000", "incoming": "0.000",
                    "demand_30": "0.000", "demand_90": "0.000", "avg_daily_demand": "0.000",
                    "days_of_cover": None, "stockout_date": None}
    assert (older["demand_30"], older["demand_90"]) == ("0.000", "3.000")
    assert older["days_of_cover"] is None and older["stockout_date"] is None


def test_undoing_a_customer_return_is_not_demand(stock):
    # The return (customer -> stock) lowers nothing, so its reversal (stock -> customer,
    # pointing at the return) adds nothing either.
    lamp = stock.product("LAMP")
    with time_machine.travel(at(3), tick=False):
        stock.receive(lamp, 10)
        back = stock.transfer(lamp, 2, "Customers", "WH/Stock")
        assert stock.api.post(f"/stock/moves/{back['id']}/reverse").status_code == 201
    with time_machine.travel(NOW, tick=False):
        body = stock.api.get(f"/products/{lamp}/forecast").json
    assert (body["available"], body["demand_30"], body["demand_90"]) == \
        ("10.000", "0.000", "0.000")


@pytest.mark.parametrize("role, status", [("admin", 200), ("warehouse", 200),
                                          ("finance", 200), ("sales", 403),
                                          ("support", 403)])
def test_who_reads_forecasts(api_as, stock, role, status):
    lamp = stock.product("LAMP")
    response = api_as(role).get(f"/products/{lamp}/forecast")
    assert response.status_code == status, response.json
    if status == 403:
        assert response.json["error"]["code"] == "forbidden"


def test_unknown_product_is_404(stock):
    response = stock.api.get("/products/999999/forecast")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_reorder_suggestions_carry_days_of_cover(stock, history):
    idle = stock.product("IDLE", reorder_point="10", reorder_qty="5")
    with time_machine.travel(NOW, tick=False):
        items = {i["sku"]: i for i in
                 stock.api.get("/stock/reorder-suggestions").json["items"]}
    assert items["LAMP"]["days_of_cover"] == EXPECTED["days_of_cover"]
    assert items["LAMP"]["stockout_date"] == EXPECTED["stockout_date"]
    assert (items["LAMP"]["available"], items["LAMP"]["incoming"]) == ("230.000", "20.000")
    assert items["IDLE"]["days_of_cover"] is None and items["IDLE"]["stockout_date"] is None
    assert idle


def test_many_products_in_a_fixed_number_of_queries(app, stock, history):
    others = [stock.product(f"P{n}") for n in range(6)]
    with time_machine.travel(at(1), tick=False):
        for pid in others:
            stock.receive(pid, 10)
            stock.transfer(pid, 1, "WH/Stock", "Customers")
    with app.app_context(), time_machine.travel(NOW, tick=False):
        one, one_sql = sql_statements(app, lambda: forecast.forecasts([history]))
        many, many_sql = sql_statements(app, lambda: forecast.forecasts([history, *others]))
    selects = [[sql for sql in run if sql.startswith("SELECT")] for run in (one_sql, many_sql)]
    assert len(selects[1]) == len(selects[0]) == 3
    assert str(one[history].days_of_cover) == EXPECTED["days_of_cover"]
    assert many[history] == one[history]
    assert all(many[pid].demand_30 == 1 and many[pid].available == 9 for pid in others)


# --------------------------------------------------------------------------- pages


def test_product_page_shows_the_forecast_to_forecast_readers(client, login_as, stock,
                                                             history):
    with time_machine.travel(NOW, tick=False):
        login_as("warehouse")
        html = client.get(f"/products/{history}").get_data(as_text=True)
    assert 'data-testid="forecast-panel"' in html
    assert 'data-testid="demand-30">14<' in html and 'data-testid="demand-90">33<' in html
    assert 'data-testid="avg-daily-demand">0.467<' in html
    assert 'data-testid="days-of-cover">535.3<' in html
    assert "Dec 2, 2027" in html  # TODAY + 535 days
    assert "less deliveries that were reversed" in html  # how it is computed


def test_product_page_in_chinese_and_without_demand(client, login_as, stock):
    idle = stock.product("IDLE")
    login_as("finance")
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    html = client.get(f"/products/{idle}").get_data(as_text=True)
    assert "需求预测" in html and "可供天数" in html and "预计不会缺货" in html


def test_product_page_hides_the_forecast_from_sales(client, login_as, stock, history):
    login_as("sales")
    html = client.get(f"/products/{history}").get_data(as_text=True)
    assert 'data-testid="stock-panel"' in html  # sales still sees stock levels
    assert 'data-testid="forecast-panel"' not in html


def test_low_stock_page_shows_days_of_cover_and_stockout(client, login_as, stock, history):
    stock.product("IDLE", reorder_point="10", reorder_qty="5")
    with time_machine.travel(NOW, tick=False):
        login_as("warehouse")
        html = client.get("/inventory/low-stock").get_data(as_text=True)
    assert html.count('data-testid="low-stock-row"') == 2
    assert 'data-testid="days-of-cover">535.3<' in html
    assert html.count("Dec 2, 2027") == 1
    assert "No demand in the last 30 days" in html  # IDLE
