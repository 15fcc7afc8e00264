"""Roles of API.md for the CRM, and the row-level option "salespeople see only their own"."""
from __future__ import annotations

import pytest

from shared.permissions import allowed
from shared.users.models import ROLES

CRM_READS = ["/leads", "/leads/1", "/opportunities", "/opportunities/1", "/pipeline",
             "/pipeline/stages", "/activities"]
CRM_WRITES = [("POST", "/leads"), ("PATCH", "/leads/1"), ("POST", "/leads/1/convert"),
              ("POST", "/leads/1/disqualify"), ("POST", "/opportunities"),
              ("PATCH", "/opportunities/1"), ("POST", "/opportunities/1/move"),
              ("POST", "/opportunities/1/win"), ("POST", "/opportunities/1/lose"),
              ("POST", "/activities"), ("PATCH", "/activities/1")]


def test_the_table_matches_api_md_for_crm():
    def who(area, action):
        return {r for r in ROLES if allowed([r], area, action)}

    assert who("leads", "read") == {"admin", "sales", "finance"}
    assert who("leads", "write") == {"admin", "sales"}
    assert who("pipeline_config", "write") == {"admin"}


@pytest.mark.parametrize("role", ["warehouse", "support"])
def test_roles_without_crm_get_403_everywhere(api_as, role):
    api = api_as(role)
    for path in CRM_READS:
        response = api.get(path)
        assert response.status_code == 403, path
        assert response.json["error"]["code"] == "forbidden"
    for method, path in CRM_WRITES:
        assert api._call(method, path, json={}).status_code == 403, (method, path)


def test_finance_reads_but_cannot_write(api_as):
    finance = api_as("finance")
    for path in ("/leads", "/opportunities", "/pipeline", "/pipeline/stages", "/activities"):
        assert finance.get(path).status_code == 200, path
    for method, path in CRM_WRITES:
        assert finance._call(method, path, json={}).status_code == 403, (method, path)


def test_only_admin_configures_the_pipeline(api_as):
    for role in ("sales", "finance"):
        api = api_as(role)
        assert api.post("/pipeline/stages", json={}).status_code == 403
        assert api.patch("/pipeline/stages/1", json={}).status_code == 403
        assert api.post("/pipeline/lost-reasons", json={}).status_code == 403


# --------------------------------------------------------------------------- row-level


@pytest.fixture
def two_salespeople(api_as):
    """Two salespeople with a lead and an opportunity each, and an admin."""
    admin, alice, bob = api_as("admin"), api_as("sales"), api_as("sales")
    for api, name in ((alice, "Alice"), (bob, "Bob")):
        api.post("/leads", json={"title": f"{name} lead", "company_name": f"{name} Co",
                                 "email": f"{name.lower()}@example.com"})
        api.post("/opportunities", json={"title": f"{name} deal", "expected_revenue": "100"})
        api.post("/activities", json={"kind": "task", "subject": f"{name} task",
                                      "due_date": "2026-01-01",
                                      "lead_id": api.get("/leads").json["items"][0]["id"]})
    return admin, alice, bob


def own_only(admin, on: bool) -> None:
    response = admin.patch("/company", json={"sales_see_own_only": on})
    assert response.status_code == 200 and response.json["sales_see_own_only"] is on


def titles(api, path: str) -> set[str]:
    key = "subject" if path.startswith("/activities") else "title"
    return {item[key] for item in api.get(path).json["items"]}


def test_off_by_default_everyone_sees_everything(two_salespeople):
    admin, alice, _ = two_salespeople
    assert admin.get("/company").json["sales_see_own_only"] is False
    assert titles(alice, "/leads") == {"Alice lead", "Bob lead"}
    assert titles(alice, "/opportunities") == {"Alice deal", "Bob deal"}
    assert alice.get("/pipeline").json["total_expected"] == "200.00"


def test_on_salespeople_see_only_their_own_in_lists_search_and_api(two_salespeople):
    admin, alice, bob = two_salespeople
    own_only(admin, True)
    assert titles(alice, "/leads") == {"Alice lead"}
    assert titles(alice, "/leads?q=Bob") == set()
    assert titles(alice, "/opportunities") == {"Alice deal"}
    assert titles(alice, "/activities") == {"Alice task"}
    assert alice.get("/pipeline").json["total_expected"] == "100.00"
    bob_lead = bob.get("/leads").json["items"][0]["id"]
    bob_deal = bob.get("/opportunities").json["items"][0]["id"]
    assert alice.get(f"/leads/{bob_lead}").status_code == 404
    assert alice.get(f"/opportunities/{bob_deal}").status_code == 404
    assert alice.post(f"/opportunities/{bob_deal}/win").status_code == 404
    assert alice.post("/activities", json={"kind": "call", "subject": "x", "due_date": "2026-01-01",
                                           "lead_id": bob_lead}).status_code == 422
    # Admins still see everything.
    assert titles(admin, "/leads") == {"Alice lead", "Bob lead"}
    assert admin.get("/pipeline").json["total_expected"] == "200.00"
    own_only(admin, False)
    assert titles(alice, "/leads") == {"Alice lead", "Bob lead"}


# The pages: list, board, export, search.


def test_on_the_pages_and_the_export_honour_it(app, client, two_salespeople):
    from tests.conftest import sign_in

    admin, alice, _bob = two_salespeople
    own_only(admin, True)
    with app.app_context():
        from shared.extensions import db
        from shared.users.models import User
        alice_email = db.session.get(User, alice.user_id).email
    sign_in(client, alice_email)
    leads = client.get("/leads/").get_data(as_text=True)
    assert "Alice lead" in leads and "Bob lead" not in leads
    assert "Bob lead" not in client.get("/leads/?q=Bob").get_data(as_text=True)
    board = client.get("/pipeline/").get_data(as_text=True)
    assert "Alice deal" in board and "Bob deal" not in board
    opportunities = client.get("/opportunities/").get_data(as_text=True)
    assert "Alice deal" in opportunities and "Bob deal" not in opportunities
    exported = client.get("/leads/export.csv").get_data(as_text=True)
    assert "Alice lead" in exported and "Bob lead" not in exported
    duplicates = client.get("/leads/duplicates?email=bob@example.com").get_data(as_text=True)
    assert "Bob lead" not in duplicates
    with app.app_context():
        from crm.leads.models import Lead
        bob_id = db.session.scalar(db.select(Lead.id).where(Lead.title == "Bob lead"))
    assert client.get(f"/leads/{bob_id}").status_code == 404
    own_only(admin, False)
    assert "Bob lead" in client.get("/leads/export.csv").get_data(as_text=True)


def test_the_setting_refuses_null(api_as):
    admin = api_as("admin")
    response = admin.patch("/company", json={"sales_see_own_only": None})
    assert response.status_code == 422 and "sales_see_own_only" in response.json["error"]["fields"]
    assert admin.patch("/company", json={"name": "Co"}).json["sales_see_own_only"] is False
