"""Who reads which report (API.md: admin and finance all; sales `sales`,
`pipeline-conversion`, `at-risk-customers`; warehouse `stock-valuation` and forecasts; support
`tickets-sla`; anyone else 403), and the row-level limit of a salesperson limited to own
records on the JSON, the CSV and the XLSX alike."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from shared.permissions import allowed
from shared.users.models import ROLES
from tests.conftest import today
from tests.reports.conftest import xlsx_rows

READERS = {"report_sales": {"admin", "finance", "sales"},
           "report_at_risk": {"admin", "finance", "sales"},
           "report_pipeline_conversion": {"admin", "finance", "sales"},
           "report_stock_valuation": {"admin", "finance", "warehouse"},
           "forecast": {"admin", "finance", "warehouse"},
           "report_tickets_sla": {"admin", "finance", "support"}}


def test_the_permission_table_matches_api_md():
    for area, roles in READERS.items():
        assert {role for role in ROLES if allowed([role], area, "read")} == roles, area


@pytest.mark.parametrize("role, name, status", [
    ("warehouse", "sales", 403), ("support", "sales", 403), ("sales", "sales", 200),
    ("finance", "sales", 200), ("support", "stock-valuation", 403),
    ("warehouse", "at-risk-customers", 403), ("admin", "at-risk-customers", 200),
    ("finance", "no-such-report", 404)])
def test_each_role_reads_only_its_reports(api_as, role, name, status):
    r = api_as(role).get(f"/reports/{name}")
    assert r.status_code == status, r.json
    if status == 403:
        assert r.json["error"]["code"] == "forbidden"


def test_the_pages_refuse_too(client, login_as):
    login_as("warehouse")
    assert client.get("/reports/sales").status_code == 403
    assert client.get("/reports/sales?format=xlsx").status_code == 403
    assert client.get("/reports/stock-valuation").status_code == 200


def test_the_index_lists_what_the_role_reads(client, login_as):
    login_as("sales")
    html = client.get("/reports/").get_data(as_text=True)
    assert 'data-report="sales"' in html and 'data-report="at-risk-customers"' in html
    assert 'data-report="stock-valuation"' not in html
    assert 'href="/reports/ar-aging"' in html  # the aging keeps its own page
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)  # in the menu


def test_the_aging_reports_keep_their_urls_and_json(fin):
    r = fin.get("/reports/ar-aging")
    assert r.status_code == 200 and set(r.json) == {"as_of", "items", "totals"}


@pytest.fixture
def two_salespeople(api_as, books, admin_api):
    """Alice's order is invoiced to Acme (120.00), Bob's to Bolt (80.00), each three times
    a month apart so that both customers are at risk today."""
    alice, bob = api_as("sales"), api_as("sales")
    service = books.product("SVC", "0", type="service")
    names = {}
    for api, name, price in ((alice, "Acme", "120.00"), (bob, "Bolt", "80.00")):
        partner = books.customer(name)
        r = api.post("/sales-orders", json={"partner_id": partner, "lines": [
            {"product_id": service, "quantity": "1"}]})
        assert r.status_code == 201, r.json
        for days in (200, 170, 140):
            books.invoice(partner, today() - timedelta(days=days),
                          (None, 1, price), sales_order_id=r.json["id"])
        names[name] = partner
    return {"admin": admin_api, "alice": alice, "bob": bob, **names}


def own_only(admin, on: bool) -> None:
    r = admin.patch("/company", json={"sales_see_own_only": on})
    assert r.status_code == 200, r.json


def test_a_limited_salesperson_sees_only_own_rows_in_json_csv_and_xlsx(two_salespeople):
    t = two_salespeople
    rng = {"from": (today() - timedelta(days=366)).isoformat(),
           "group_by": "customer"}
    own_only(t["admin"], True)
    alice = t["alice"]
    r = alice.get("/reports/sales", query_string=rng)
    assert [(i["label"], i["revenue"]) for i in r.json["items"]] == [("Acme", "360.00")]
    assert r.json["revenue"] == "360.00"
    r = alice.get("/reports/sales", query_string={**rng, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["Acme"]
    sheet = xlsx_rows(alice.get("/reports/sales", query_string={**rng, "format": "xlsx"}).data)
    assert [row[1] for row in sheet[1:-1]] == ["Acme"]
    # asking for Bob's rows gives nothing more
    r = alice.get("/reports/sales", query_string={**rng, "salesperson_id": t["bob"].user_id})
    assert r.json["items"] == []
    at_risk = alice.get("/reports/at-risk-customers").json["items"]
    assert [i["name"] for i in at_risk] == ["Acme"]
    sheet = xlsx_rows(alice.get("/reports/at-risk-customers?format=xlsx").data)
    assert [row[1] for row in sheet[1:]] == ["Acme"]
    # the admin, and Alice once the setting is off, see both
    assert len(t["admin"].get("/reports/sales", query_string=rng).json["items"]) == 2
    own_only(t["admin"], False)
    by_person = alice.get("/reports/sales", query_string={**rng, "group_by": "salesperson"})
    assert {(i["key"], i["revenue"]) for i in by_person.json["items"]} == {
        (alice.user_id, "360.00"), (t["bob"].user_id, "240.00")}


def test_every_registered_report_answers_each_role_as_the_table_says(app, client, api_as):
    """The generic routes are @signed_in (the route walk sees no area): each report checks
    its own permission, whichever area registered it (CRM's reports included)."""
    from shared.registry import registry_of

    specs = [spec for spec in registry_of(app).reports.values() if not spec.page_endpoint]
    assert {"sales", "stock-valuation", "at-risk-customers"} <= {s.name for s in specs}
    for role in ROLES:
        api = api_as(role)
        for spec in specs:
            expected = 200 if allowed([role], *spec.permission) else 403
            assert api.get(f"/reports/{spec.name}").status_code == expected, (role, spec.name)
            for fmt in ("csv", "xlsx"):
                r = api.get(f"/reports/{spec.name}?format={fmt}")
                assert r.status_code == expected, (role, spec.name, fmt)


@pytest.mark.parametrize("name", ["ar-aging", "ap-aging"])
def test_the_aging_pages_download_the_same_rows_as_the_api(client, login_as, fin, books,
                                                           name):
    """The aging pages keep their own routes (matched before /reports/<name>), so they
    answer ?format=csv|xlsx themselves, with the registered report's rows."""
    partner = books.customer("Late Ltd")
    kind = "vendor_bill" if name == "ap-aging" else "customer_invoice"
    books.invoice(partner, today() - timedelta(days=75), (None, 2, "50.00"), kind=kind,
                  due_date=(today() - timedelta(days=45)).isoformat())
    as_of = today().isoformat()
    api_items = fin.get(f"/reports/{name}?as_of={as_of}").json["items"]
    assert [item["d31_60"] for item in api_items] == ["113.00"]
    login_as("finance")
    page = client.get(f"/reports/{name}?as_of={as_of}").get_data(as_text=True)
    assert f'href="/reports/{name}?as_of={as_of}&amp;format=csv"' in page
    response = client.get(f"/reports/{name}?as_of={as_of}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + len(api_items) and "Late Ltd" in rows[1]
    assert "113.00" in rows[1]
    response = client.get(f"/reports/{name}?as_of={as_of}&format=xlsx")
    sheet = xlsx_rows(response.data)
    assert len(sheet) == 1 + len(api_items) and "Late Ltd" in sheet[1]
