"""API contract: activities."""
from __future__ import annotations

from datetime import timedelta

from crm.activities.models import Activity
from tests.conftest import row_count, today


def test_schedule_list_overdue_and_mark_done(api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "Lamps"}).json
    yesterday = (today() - timedelta(days=2)).isoformat()
    tomorrow = (today() + timedelta(days=2)).isoformat()
    late = sales.post("/activities", json={"kind": "call", "subject": "Call back",
                                           "due_date": yesterday, "lead_id": lead["id"]})
    assert late.status_code == 201, late.json
    assert late.json["done"] is False and late.json["owner_id"] == sales.user_id
    sales.post("/activities", json={"kind": "meeting", "subject": "Visit", "due_date": tomorrow,
                                    "lead_id": lead["id"]})
    assert sales.get("/activities").json["total"] == 2
    overdue = sales.get("/activities?overdue=true").json
    assert [a["subject"] for a in overdue["items"]] == ["Call back"]

    done = sales.patch(f"/activities/{late.json['id']}", json={"done": True})
    assert done.status_code == 200 and done.json["done"] is True and done.json["done_at"]
    assert sales.get("/activities?overdue=true").json["total"] == 0
    assert sales.get(f"/activities?lead_id={lead['id']}").json["total"] == 2


def test_activity_targets_and_bad_input(app, api_as):
    sales = api_as("sales")
    partner = sales.post("/partners", json={"name": "P"}).json
    ok = sales.post("/activities", json={"kind": "task", "subject": "Send catalogue",
                                         "due_date": "2026-12-01", "partner_id": partner["id"]})
    assert ok.status_code == 201
    case = sales.post("/tickets", json={"partner_id": partner["id"], "subject": "Case"}).json
    ticket = sales.post("/activities", json={"kind": "email", "subject": "Reply",
                                             "due_date": "2026-12-01", "ticket_id": case["id"]})
    assert ticket.status_code == 201 and ticket.json["ticket_id"] == case["id"]
    unknown = sales.post("/activities", json={"kind": "email", "subject": "Reply",
                                              "due_date": "2026-12-01", "ticket_id": 999})
    assert unknown.status_code == 422 and "ticket_id" in unknown.json["error"]["fields"]
    none = sales.post("/activities", json={"kind": "task", "subject": "x", "due_date": "2026-12-01"})
    assert none.status_code == 422
    two = sales.post("/activities", json={"kind": "task", "subject": "x", "due_date": "2026-12-01",
                                          "partner_id": partner["id"], "lead_id": 1})
    assert two.status_code == 422
    bad = sales.post("/activities", json={"kind": "fax", "due_date": "soon",
                                          "opportunity_id": 999})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) >= {"kind", "subject", "due_date"}
    missing = sales.post("/activities", json={"kind": "task", "subject": "x",
                                              "due_date": "2026-12-01", "opportunity_id": 999})
    assert missing.status_code == 422 and "opportunity_id" in missing.json["error"]["fields"]
    assert row_count(app, Activity) == 2
