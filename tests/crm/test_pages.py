"""CRM web pages: lists, forms, duplicates panel, conversion, board moves, activities."""
from __future__ import annotations

from datetime import timedelta

from crm.leads.models import Lead
from crm.pipeline.models import Opportunity
from tests.conftest import csrf_token, row_count, today


def test_lead_pages_create_edit_show(app, client, login_as):
    login_as("sales")
    token = csrf_token(client, "/leads/new")
    bad = client.post("/leads/new", data={"csrf_token": token, "title": "", "email": "nope",
                                          "expected_revenue": "-3"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Not a valid email address." in html
    assert "This field is required." in html and "Must be at least 0." in html
    assert row_count(app, Lead) == 0
    created = client.post("/leads/new", data={"csrf_token": token, "title": "Desk lamps",
                                              "company_name": "Lotus Retail", "source": "web",
                                              "expected_revenue": "800"})
    assert created.status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    assert "Desk lamps" in page and "Convert to opportunity" in page
    lead_id = int(created.location.rstrip("/").split("/")[-1])
    edited = client.post(f"/leads/{lead_id}/edit", data={"csrf_token": token, "title": "Lamps",
                                                         "source": "event"})
    assert edited.status_code == 302
    listing = client.get("/leads/?source=event").get_data(as_text=True)
    assert "Lamps" in listing
    assert "Lamps" in client.get("/leads/?mine=1").get_data(as_text=True)
    assert "Lamps" not in client.get("/leads/?status=qualified").get_data(as_text=True)


def test_duplicates_panel(app, client, login_as, api_as):
    sales = api_as("sales")
    sales.post("/partners", json={"name": "Lotus Retail Ltd", "phone": "+86 571 1234 5678"})
    sales.post("/leads", json={"title": "Old lead", "email": "Buyer@Lotus.cn"})
    login_as("sales")
    html = client.get("/leads/duplicates?email=buyer@lotus.cn%20&phone=&company_name=",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Old lead" in html
    html = client.get("/leads/duplicates?phone=%2B8657112345678&company_name=lotus%20retail%20ltd"
                      ).get_data(as_text=True)
    assert "Lotus Retail Ltd" in html
    assert client.get("/leads/duplicates?email=other@x.cn").get_data(as_text=True).strip() == ""


def test_convert_and_disqualify_from_the_lead_page(app, client, login_as):
    login_as("sales")
    token = csrf_token(client, "/leads/new")
    client.post("/leads/new", data={"csrf_token": token, "title": "A"})
    client.post("/leads/new", data={"csrf_token": token, "title": "B"})
    with app.app_context():
        from shared.extensions import db
        a_id, b_id = sorted(db.session.scalars(db.select(Lead.id)))
    refused = client.post(f"/leads/{b_id}/disqualify", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and "This field is required." in refused.get_data(True)
    assert client.post(f"/leads/{b_id}/disqualify", data={"csrf_token": token,
                                                          "reason": "Spam"}).status_code == 302
    converted = client.post(f"/leads/{a_id}/convert", data={"csrf_token": token,
                                                            "opportunity_title": "A deal"})
    assert converted.status_code == 302 and "/opportunities/" in converted.location
    page = client.get(converted.location).get_data(as_text=True)
    assert "A deal" in page and "Stage history" in page


def test_board_shows_totals_and_moves_by_form_and_htmx(app, client, login_as, api_as):
    sales = api_as("sales")
    stages = {s["name"]: s["id"] for s in sales.get("/pipeline/stages").json["items"]}
    partner = sales.post("/partners", json={"name": "Lotus Retail"}).json
    opp = sales.post("/opportunities", json={"title": "Chairs", "expected_revenue": "1000",
                                             "partner_id": partner["id"]}).json
    login_as("sales")
    board = client.get("/pipeline/").get_data(as_text=True)
    assert "Chairs" in board and "Lotus Retail" in board and "Sortable.min.js" in board
    token = csrf_token(client, "/pipeline/")
    partial = client.post(f"/opportunities/{opp['id']}/move",
                          data={"csrf_token": token, "stage_id": stages["Proposal"]},
                          headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200 and html.lstrip().startswith("{#") is False
    assert 'id="board"' in html and "<html" not in html
    proposal = html.split('data-testid="column-Proposal"')[1].split("</header>")[0]
    assert '"count">1<' in proposal and "600.00" in proposal
    plain = client.post(f"/opportunities/{opp['id']}/move",
                        data={"csrf_token": token, "stage_id": stages["Qualified"]})
    assert plain.status_code == 302
    with app.app_context():
        from shared.extensions import db
        assert db.session.get(Opportunity, opp["id"]).stage_id == stages["Qualified"]
    sales.post(f"/opportunities/{opp['id']}/win")
    refused = client.post(f"/opportunities/{opp['id']}/move",
                          data={"csrf_token": token, "stage_id": stages["New"]},
                          headers={"HX-Request": "true"})
    assert "already closed" in refused.get_data(as_text=True)


def test_opportunity_pages_and_lose_with_reason(app, client, login_as, api_as):
    login_as("sales")
    token = csrf_token(client, "/opportunities/new")
    bad = client.post("/opportunities/new", data={"csrf_token": token, "title": "X",
                                                  "probability": "120", "expected_revenue": "-1"})
    assert "Must be at most 100." in bad.get_data(as_text=True)
    made = client.post("/opportunities/new", data={"csrf_token": token, "title": "Lamps",
                                                   "expected_revenue": "50",
                                                   "expected_close_date": "2026-12-24"})
    assert made.status_code == 302
    url = made.location
    opp_id = int(url.rstrip("/").split("/")[-1])
    refused = client.post(f"/opportunities/{opp_id}/lose", data={"csrf_token": token,
                                                                 "reason": ""})
    assert refused.status_code == 422
    client.post(f"/opportunities/{opp_id}/lose", data={"csrf_token": token, "reason": "Price"})
    page = client.get(url).get_data(as_text=True)
    assert "Price" in page and "Mark won" not in page
    assert "Lamps" in client.get("/opportunities/?status=lost").get_data(as_text=True)


def test_activities_from_the_lead_page_and_overdue_badge(app, client, login_as, api_as):
    login_as("sales")
    token = csrf_token(client, "/leads/new")
    client.post("/leads/new", data={"csrf_token": token, "title": "Lamps"})
    with app.app_context():
        from shared.extensions import db
        lead_id = db.session.scalar(db.select(Lead.id))
    late = (today() - timedelta(days=3)).isoformat()
    made = client.post("/activities/new", data={"csrf_token": token, "kind": "call",
                                                "subject": "Call back", "due_date": late,
                                                "lead_id": lead_id})
    assert made.status_code == 302 and f"/leads/{lead_id}" in made.location
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="overdue-count">1<' in home
    mine = client.get("/activities/").get_data(as_text=True)
    assert "Call back" in mine and 'data-testid="overdue"' in mine
    with app.app_context():
        from crm.activities.models import Activity
        from shared.extensions import db
        activity_id = db.session.scalar(db.select(Activity.id))
    client.post(f"/activities/{activity_id}/done", data={"csrf_token": token})
    assert 'data-testid="overdue-count"' not in client.get("/").get_data(as_text=True)
    bad = client.post("/activities/new", data={"csrf_token": token, "kind": "call",
                                               "subject": "", "due_date": "",
                                               "lead_id": lead_id}, follow_redirects=True)
    assert "This field is required." in bad.get_data(as_text=True)


def test_admin_stage_settings_page(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/pipeline/settings")
    assert client.post("/pipeline/stages/new", data={"csrf_token": token, "name": "Demo",
                                                     "sequence": "25", "probability": "40"}
                       ).status_code == 302
    bad = client.post("/pipeline/stages/new", data={"csrf_token": token, "name": "Y",
                                                    "probability": "140"})
    assert bad.status_code == 422 and "Must be at most 100." in bad.get_data(as_text=True)
    client.post("/pipeline/lost-reasons/new", data={"csrf_token": token, "name": "Too slow"})
    page = client.get("/pipeline/settings").get_data(as_text=True)
    assert "Demo" in page and "Too slow" in page


def test_editing_keeps_the_owner_and_can_reassign_it(app, client, login_as, api_as):
    other = api_as("sales")
    user_id, _ = login_as("sales")
    token = csrf_token(client, "/leads/new")
    created = client.post("/leads/new", data={"csrf_token": token, "title": "Mine"})
    lead_id = int(created.location.rstrip("/").split("/")[-1])
    form = client.get(f"/leads/{lead_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{user_id}">' in form or \
        f'value="{user_id}" selected' in form
    client.post(f"/leads/{lead_id}/edit", data={"csrf_token": token, "title": "Mine",
                                                "owner_id": str(other.user_id)})
    assert other.get(f"/leads/{lead_id}").json["owner_id"] == other.user_id


def test_company_settings_form_switches_the_row_level_option(app, client, login_as, api_as):
    admin = api_as("admin")
    login_as("admin")
    token = csrf_token(client, "/admin/company")
    client.post("/admin/company", data={"csrf_token": token, "name": "Co", "currency": "CNY",
                                        "default_tax_rate": "13", "locale": "en",
                                        "sales_see_own_only": "y"})
    assert admin.get("/company").json["sales_see_own_only"] is True


def test_activities_on_the_partner_page(app, client, login_as, api_as):
    partner = api_as("sales").post("/partners", json={"name": "Lotus"}).json
    login_as("sales")
    page = client.get(f"/partners/{partner['id']}").get_data(as_text=True)
    assert 'data-testid="partner-activities"' in page
    token = csrf_token(client, f"/partners/{partner['id']}")
    made = client.post("/activities/new", data={"csrf_token": token, "kind": "meeting",
                                                "subject": "Visit Lotus", "due_date": "2030-01-02",
                                                "partner_id": partner["id"]})
    assert made.status_code == 302 and f"/partners/{partner['id']}" in made.location
    assert "Visit Lotus" in client.get(made.location).get_data(as_text=True)
    from tests.conftest import make_user, sign_in

    warehouse = app.test_client()  # no CRM rights: no panel
    sign_in(warehouse, make_user(app, "warehouse")[1])
    page = warehouse.get(f"/partners/{partner['id']}").get_data(as_text=True)
    assert 'data-testid="partner-activities"' not in page
