"""API contract: leads, conversion, disqualification (API.md, CRM)."""
from __future__ import annotations

from crm.leads.models import Lead
from crm.pipeline.models import Opportunity
from shared.partners.models import Partner
from tests.conftest import row_count, table_counts

LEAD = {"title": "Office chairs for new HQ", "contact_name": "王芳", "company_name": "杭州云帆科技",
        "email": "wang.fang@yunfan.cn", "phone": "+86 571 8888 0001", "source": "web",
        "expected_revenue": "12500.50"}


def test_create_get_patch_and_list_leads(app, api_as):
    sales = api_as("sales")
    response = sales.post("/leads", json=LEAD)
    assert response.status_code == 201, response.json
    lead = response.json
    assert lead["status"] == "new" and lead["owner_id"] == sales.user_id
    assert lead["expected_revenue"] == "12500.50" and lead["opportunity_id"] is None
    assert sales.get(f"/leads/{lead['id']}").json["title"] == LEAD["title"]

    patched = sales.patch(f"/leads/{lead['id']}", json={"status": "contacted", "notes": "called"})
    assert patched.status_code == 200 and patched.json["status"] == "contacted"

    listed = sales.get("/leads?status=contacted&source=web&q=云帆").json
    assert listed["total"] == 1 and listed["items"][0]["id"] == lead["id"]
    assert sales.get("/leads?status=new").json["total"] == 0
    assert sales.get(f"/leads?owner_id={sales.user_id}").json["total"] == 1
    # Dates are the company's (BABEL_DEFAULT_TIMEZONE), not UTC.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    created = datetime.fromisoformat(lead["created_at"])
    today = created.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    assert sales.get(f"/leads?created_from={today}&created_to={today}").json["total"] == 1
    assert sales.get("/leads?created_to=2000-01-01").json["total"] == 0
    assert sales.get("/leads?created_from=yesterday").status_code == 422


def test_bad_lead_input_is_422_with_fields_and_writes_nothing(app, api_as):
    sales = api_as("sales")
    response = sales.post("/leads", json={"email": "not-an-email", "phone": "abc",
                                          "expected_revenue": "-5", "source": "tv"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"title", "email", "phone",
                                                     "expected_revenue", "source"}
    assert row_count(app, Lead) == 0


def test_status_moves_are_guarded(api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "T"}).json
    assert sales.patch(f"/leads/{lead['id']}", json={"status": "converted"}).status_code == 409
    refused = sales.post(f"/leads/{lead['id']}/disqualify", json={})
    assert refused.status_code == 422 and "reason" in refused.json["error"]["fields"]
    done = sales.post(f"/leads/{lead['id']}/disqualify", json={"reason": "No budget"})
    assert done.status_code == 200 and done.json["status"] == "disqualified"
    assert done.json["disqualify_reason"] == "No budget"
    again = sales.patch(f"/leads/{lead['id']}", json={"status": "new"})
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_state"
    convert = sales.post(f"/leads/{lead['id']}/convert", json={})
    assert convert.status_code == 409 and convert.json["error"]["code"] == "invalid_state"


def test_convert_creates_partner_and_opportunity_once(app, api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json=LEAD).json
    response = sales.post(f"/leads/{lead['id']}/convert",
                          json={"opportunity_title": "Chairs deal"})
    assert response.status_code == 201, response.json
    ids = response.json
    assert set(ids) == {"partner_id", "opportunity_id"}
    after = sales.get(f"/leads/{lead['id']}").json
    assert after["status"] == "converted"
    assert (after["partner_id"], after["opportunity_id"]) == (ids["partner_id"],
                                                              ids["opportunity_id"])
    opportunity = sales.get(f"/opportunities/{ids['opportunity_id']}").json
    new_stage = sales.get("/pipeline/stages").json["items"][0]
    assert opportunity["title"] == "Chairs deal" and opportunity["stage_id"] == new_stage["id"]
    assert opportunity["status"] == "open" and opportunity["probability"] == "10.00"
    assert opportunity["expected_revenue"] == "12500.50" and opportunity["lead_id"] == lead["id"]
    assert opportunity["partner_id"] == ids["partner_id"]
    assert opportunity["owner_id"] == sales.user_id
    partner = sales.get(f"/partners/{ids['partner_id']}").json
    assert partner["name"] == "杭州云帆科技" and partner["email"] == LEAD["email"]

    with app.app_context():
        before = table_counts()
    second = sales.post(f"/leads/{lead['id']}/convert", json={})
    assert second.status_code == 409 and second.json["error"]["code"] == "already_converted"
    with app.app_context():
        assert table_counts() == before


def test_convert_carries_the_address_and_the_contact_person_over(api_as):
    """Issue 16 item 10: the new customer gets the lead's address and its contact person
    (not a note with the contact's name)."""
    sales = api_as("sales")
    lead = sales.post("/leads", json={
        "title": "Lobby chairs", "company_name": "Lotus Retail 莲花零售", "contact_name": "王芳",
        "street": "西湖区文三路 90 号", "city": "杭州", "postal_code": "310012",
        "country": "中国"}).json
    assert (lead["street"], lead["city"]) == ("西湖区文三路 90 号", "杭州")
    ids = sales.post(f"/leads/{lead['id']}/convert", json={}).json
    partner = sales.get(f"/partners/{ids['partner_id']}").json
    assert (partner["name"], partner["contact_name"], partner["notes"]) == (
        "Lotus Retail 莲花零售", "王芳", None)
    assert (partner["street"], partner["city"], partner["postal_code"], partner["country"]) == (
        "西湖区文三路 90 号", "杭州", "310012", "中国")


def test_convert_links_the_partner_with_the_same_email(app, api_as):
    sales = api_as("sales")
    partner = sales.post("/partners", json={"name": "Yunfan", "email": "WANG.FANG@yunfan.cn "}).json
    lead = sales.post("/leads", json=LEAD).json
    ids = sales.post(f"/leads/{lead['id']}/convert").json
    assert ids["partner_id"] == partner["id"]
    assert row_count(app, Partner) == 1


def test_convert_with_a_chosen_partner_and_an_unknown_one(app, api_as):
    sales = api_as("sales")
    partner = sales.post("/partners", json={"name": "Other Co"}).json
    lead = sales.post("/leads", json={"title": "Lamps"}).json
    bad = sales.post(f"/leads/{lead['id']}/convert", json={"partner_id": 999})
    assert bad.status_code == 422 and "partner_id" in bad.json["error"]["fields"]
    assert row_count(app, Opportunity) == 0
    ids = sales.post(f"/leads/{lead['id']}/convert", json={"partner_id": partner["id"]}).json
    assert ids["partner_id"] == partner["id"]


def test_converted_lead_cannot_be_edited(api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "Lamps"}).json
    sales.post(f"/leads/{lead['id']}/convert")
    response = sales.patch(f"/leads/{lead['id']}", json={"title": "Other"})
    assert response.status_code == 409


def test_leads_404_and_pagination(api_as):
    sales = api_as("sales")
    assert sales.get("/leads/999").status_code == 404
    for n in range(3):
        sales.post("/leads", json={"title": f"Lead {n}"})
    page = sales.get("/leads?per_page=2&page=2").json
    assert page["total"] == 3 and page["per_page"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["title"] == "Lead 0"  # newest first
