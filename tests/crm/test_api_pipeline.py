"""API contract: stages, opportunities, moves, win/lose and the pipeline figures."""
from __future__ import annotations

from decimal import Decimal

from crm.pipeline.models import Opportunity, Stage
from tests.conftest import row_count


def stage_ids(api) -> dict[str, int]:
    return {s["name"]: s["id"] for s in api.get("/pipeline/stages").json["items"]}


def test_default_stages_are_loaded_once(app, api_as):
    from shared.reference import load_reference_data

    with app.app_context():
        load_reference_data()  # idempotent
    stages = api_as("finance").get("/pipeline/stages").json["items"]
    assert [(s["name"], s["probability"], s["is_won"], s["is_lost"]) for s in stages] == [
        ("New", "10.00", False, False), ("Qualified", "30.00", False, False),
        ("Proposal", "60.00", False, False), ("Negotiation", "80.00", False, False),
        ("Won", "100.00", True, False), ("Lost", "0.00", False, True)]
    assert [s["sequence"] for s in stages] == sorted(s["sequence"] for s in stages)
    assert row_count(app, Stage) == 6


def test_opportunity_create_patch_move_win(api_as):
    sales = api_as("sales")
    stages = stage_ids(sales)
    created = sales.post("/opportunities", json={"title": "Desks", "expected_revenue": 1000,
                                                 "expected_close_date": "2026-12-31"})
    assert created.status_code == 201, created.json
    opp = created.json
    assert opp["stage_id"] == stages["New"] and opp["probability"] == "10.00"
    assert opp["status"] == "open" and opp["expected_revenue"] == "1000.00"

    patched = sales.patch(f"/opportunities/{opp['id']}", json={"probability": "25"}).json
    assert patched["probability"] == "25.00" and patched["weighted_revenue"] == "250.00"

    moved = sales.post(f"/opportunities/{opp['id']}/move", json={"stage_id": stages["Proposal"]})
    assert moved.status_code == 200
    assert moved.json["stage_id"] == stages["Proposal"] and moved.json["probability"] == "60.00"

    won = sales.post(f"/opportunities/{opp['id']}/win")
    assert won.status_code == 200
    assert won.json["status"] == "won" and won.json["stage_id"] == stages["Won"]
    assert won.json["probability"] == "100.00"

    for action, body in (("move", {"stage_id": stages["New"]}), ("win", None),
                         ("lose", {"reason": "x"})):
        refused = sales.post(f"/opportunities/{opp['id']}/{action}", json=body)
        assert refused.status_code == 409, action
        assert refused.json["error"]["code"] == "invalid_state"


def test_lose_needs_a_reason(app, api_as):
    sales = api_as("sales")
    stages = stage_ids(sales)
    opp = sales.post("/opportunities", json={"title": "Lamps"}).json
    refused = sales.post(f"/opportunities/{opp['id']}/lose", json={"reason": "  "})
    assert refused.status_code == 422 and "reason" in refused.json["error"]["fields"]
    assert sales.get(f"/opportunities/{opp['id']}").json["status"] == "open"
    lost = sales.post(f"/opportunities/{opp['id']}/lose", json={"reason": "Price too high"}).json
    assert lost["status"] == "lost" and lost["stage_id"] == stages["Lost"]
    assert lost["lost_reason"] == "Price too high" and lost["probability"] == "0.00"


def test_moving_to_the_won_stage_wins(api_as):
    sales = api_as("sales")
    stages = stage_ids(sales)
    opp = sales.post("/opportunities", json={"title": "Lamps"}).json
    moved = sales.post(f"/opportunities/{opp['id']}/move", json={"stage_id": stages["Won"]})
    assert moved.json["status"] == "won"


def test_bad_opportunity_input(app, api_as):
    sales = api_as("sales")
    response = sales.post("/opportunities", json={"expected_revenue": "-1", "probability": "101",
                                                  "expected_close_date": "31/12/2026",
                                                  "partner_id": 999})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) >= {"title", "expected_revenue", "probability",
                                                     "expected_close_date"}
    assert row_count(app, Opportunity) == 0
    opp = sales.post("/opportunities", json={"title": "ok"}).json
    assert sales.post(f"/opportunities/{opp['id']}/move", json={"stage_id": 999}
                      ).status_code == 422
    assert sales.patch(f"/opportunities/{opp['id']}", json={"probability": -1}
                       ).status_code == 422
    assert sales.get("/opportunities/999").status_code == 404


def test_pipeline_figures_are_exact_decimal_sums(api_as):
    sales = api_as("sales")
    other = api_as("sales")
    stages = stage_ids(sales)
    # New (10 %): 333.33 x 10 % = 33.333 -> 33.33; 0.05 x 10 % = 0.005 -> 0.01 (half up)
    sales.post("/opportunities", json={"title": "a", "expected_revenue": "333.33"})
    sales.post("/opportunities", json={"title": "b", "expected_revenue": "0.05"})
    # Proposal (60 %): 1234.57 x 60 % = 740.742 -> 740.74
    c = sales.post("/opportunities", json={"title": "c", "expected_revenue": "1234.57"}).json
    sales.post(f"/opportunities/{c['id']}/move", json={"stage_id": stages["Proposal"]})
    # Negotiation, owned by another user: 100.01 x 80 % = 80.008 -> 80.01
    d = other.post("/opportunities", json={"title": "d", "expected_revenue": "100.01"}).json
    other.post(f"/opportunities/{d['id']}/move", json={"stage_id": stages["Negotiation"]})
    # Closed ones do not count.
    e = sales.post("/opportunities", json={"title": "e", "expected_revenue": "999"}).json
    sales.post(f"/opportunities/{e['id']}/win")

    figures = sales.get("/pipeline").json
    by_name = {s["name"]: s for s in figures["stages"]}
    assert list(by_name) == ["New", "Qualified", "Proposal", "Negotiation"]
    assert by_name["New"] == {"stage_id": stages["New"], "name": "New", "count": 2,
                              "expected_revenue": "333.38", "weighted_revenue": "33.34"}
    assert by_name["Qualified"]["count"] == 0
    assert by_name["Qualified"]["expected_revenue"] == "0.00"
    assert by_name["Proposal"]["weighted_revenue"] == "740.74"
    assert by_name["Negotiation"]["weighted_revenue"] == "80.01"
    assert Decimal(figures["total_expected"]) == Decimal("1667.96")
    assert figures["total_weighted"] == "854.09"

    mine = sales.get(f"/pipeline?owner_id={sales.user_id}").json
    assert mine["total_weighted"] == "774.08"
    assert {s["name"]: s["count"] for s in mine["stages"]}["Negotiation"] == 0


def test_opportunity_list_filters(api_as):
    sales = api_as("sales")
    stages = stage_ids(sales)
    a = sales.post("/opportunities", json={"title": "Alpha chairs"}).json
    sales.post("/opportunities", json={"title": "Beta lamps"})
    sales.post(f"/opportunities/{a['id']}/move", json={"stage_id": stages["Qualified"]})
    assert sales.get(f"/opportunities?stage_id={stages['Qualified']}").json["total"] == 1
    assert sales.get("/opportunities?q=lamps").json["items"][0]["title"] == "Beta lamps"
    assert sales.get("/opportunities?status=open").json["total"] == 2
    assert sales.get("/opportunities?status=won").json["total"] == 0
    assert sales.get("/opportunities?status=bogus").status_code == 422


def test_admin_configures_stages(api_as):
    admin, sales = api_as("admin"), api_as("sales")
    created = admin.post("/pipeline/stages", json={"name": "Demo", "sequence": 25,
                                                   "probability": "45"})
    assert created.status_code == 201
    assert [s["name"] for s in admin.get("/pipeline/stages").json["items"]][:4] == [
        "New", "Qualified", "Demo", "Proposal"]
    bad = admin.post("/pipeline/stages", json={"name": "X", "probability": "150"})
    assert bad.status_code == 422 and "probability" in bad.json["error"]["fields"]
    dup = admin.post("/pipeline/stages", json={"name": "Demo", "probability": "5"})
    assert dup.status_code == 409
    both = admin.patch(f"/pipeline/stages/{created.json['id']}", json={"is_won": True,
                                                                       "is_lost": True})
    assert both.status_code == 422
    assert admin.patch(f"/pipeline/stages/{created.json['id']}", json={"probability": 50}
                       ).json["probability"] == "50.00"
    assert sales.post("/pipeline/stages", json={"name": "Y", "probability": 1}).status_code == 403
    assert admin.post("/pipeline/lost-reasons", json={"name": "Price"}).status_code == 201
    assert [r["name"] for r in sales.get("/pipeline/lost-reasons").json["items"]] == ["Price"]
