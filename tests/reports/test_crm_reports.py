"""The CRM's reports (API.md "Reports and forecasts"): pipeline conversion per lead source and
tickets SLA per priority, on histories built through the API at known moments and worked out
by hand below.

Company time zone: Asia/Shanghai (+08:00). The range is 2026-12-01 to 2026-12-02.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from crm.leads.reports import pipeline_conversion
from crm.tickets.reports import tickets_sla
from shared.extensions import db
from shared.queries import row_limit_user_id
from shared.users.models import User

FROM, TO = date(2026, 12, 1), date(2026, 12, 2)
T0 = datetime.fromisoformat("2026-12-01T09:00:00+08:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def by_key(items, key):
    return {item[key]: item for item in items}


# --------------------------------------------------------------------------- leads


@pytest.fixture
def leads(app, api_as):
    """Leads of two sources (and one without) in and out of the range, some converted, their
    opportunities won, lost or open. Alice owns A, B and E; Bob the others.

        lead  source    created (+08:00)    converted  opportunity  owner
        A     web       12-01 00:10         yes        won          alice
        B     web       12-01 10:00         yes        lost         alice
        C     web       12-02 23:50         yes        open         bob
        D     web       12-02 12:00         no                      bob
        E     referral  12-01 12:00         yes        won          alice
        F     referral  12-01 13:00         yes        won          bob
        G     (none)    12-01 14:00         no                      bob
        H     web       11-30 23:30 (out)   yes        won          alice
        I     referral  12-03 00:00 (out)   yes        lost         bob
        J     ""        12-02 08:00         no (disqualified)       bob

    In the range: web 4 leads, 3 converted, 1 won, 1 lost -> 50.0; referral 2, 2, 2, 0 ->
    100.0; no source (G and J, NULL and "" alike) 2, 0, 0, 0 -> null. Totals 8, 5, 3, 1 ->
    75.0. Alice alone: web 2, 2, 1, 1 -> 50.0; referral 1, 1, 1, 0 -> 100.0; no other row.
    """
    admin, alice, bob = api_as("admin"), api_as("sales"), api_as("sales")
    plan = [("A", "web", "2026-12-01T00:10", "won", alice),
            ("B", "web", "2026-12-01T10:00", "lost", alice),
            ("C", "web", "2026-12-02T23:50", "open", bob),
            ("D", "web", "2026-12-02T12:00", None, bob),
            ("E", "referral", "2026-12-01T12:00", "won", alice),
            ("F", "referral", "2026-12-01T13:00", "won", bob),
            ("G", None, "2026-12-01T14:00", None, bob),
            ("H", "web", "2026-11-30T23:30", "won", alice),
            ("I", "referral", "2026-12-03T00:00", "lost", bob),
            ("J", "", "2026-12-02T08:00", "disqualify", bob)]
    for name, source, created, outcome, owner in plan:
        with time_machine.travel(at(created + "+08:00"), tick=False):
            body = {"title": f"Lead {name}", "company_name": f"{name} Co",
                    "owner_id": owner.user_id}
            if source is not None:
                body["source"] = source
            lead = admin.post("/leads", json=body)
            assert lead.status_code == 201, lead.json
            lead_id = lead.json["id"]
            if source == "":  # the API refuses "": an older import may have stored it
                _store_empty_source(app, lead_id)
            if outcome == "disqualify":
                r = admin.post(f"/leads/{lead_id}/disqualify", json={"reason": "No budget"})
                assert r.status_code == 200, r.json
            elif outcome:
                ids = admin.post(f"/leads/{lead_id}/convert", json={})
                assert ids.status_code == 201, ids.json
                opp = ids.json["opportunity_id"]
                if outcome == "won":
                    assert admin.post(f"/opportunities/{opp}/win").status_code == 200
                elif outcome == "lost":
                    r = admin.post(f"/opportunities/{opp}/lose", json={"reason": "Price"})
                    assert r.status_code == 200, r.json
    return admin, alice, bob


def _store_empty_source(app, lead_id: int) -> None:
    from crm.leads.models import Lead

    with app.app_context():
        db.session.execute(db.update(Lead).where(Lead.id == lead_id).values(source=""))
        db.session.commit()


EXPECTED_SOURCES = {
    "web": (4, 3, 1, 1, Decimal("50.0")),
    "referral": (2, 2, 2, 0, Decimal("100.0")),
    "event": (0, 0, 0, 0, None), "cold_call": (0, 0, 0, 0, None),
    "partner": (0, 0, 0, 0, None), "other": (0, 0, 0, 0, None),
    None: (2, 0, 0, 0, None),
}


def figures(item):
    return (item["leads"], item["converted"], item["won"], item["lost"], item["win_rate"])


def test_pipeline_conversion_per_source(app, leads):
    with app.app_context():
        result = pipeline_conversion(FROM, TO)
    items = result.items
    assert [i["source"] for i in items] == ["web", "referral", "event", "cold_call",
                                             "partner", "other", None]
    assert {i["source"]: figures(i) for i in items} == EXPECTED_SOURCES
    assert figures(result.totals) == (8, 5, 3, 1, Decimal("75.0"))
    with app.test_request_context():
        labels = {i["source"]: str(i["label"]) for i in pipeline_conversion(FROM, TO).items}
    assert labels["web"] == "Website" and labels[None] == "No source"


def test_pipeline_conversion_range_is_the_company_days(app, leads):
    """A lead at 00:10 on 12-01 in Shanghai is 16:10 UTC on 11-30: it counts on 12-01; the
    one at 23:30 on 11-30 (15:30 UTC, the same UTC day) does not."""
    with app.app_context():
        first_day = by_key(pipeline_conversion(FROM, FROM).items, "source")
        before = by_key(pipeline_conversion(date(2026, 11, 30), date(2026, 11, 30)).items,
                        "source")
        empty = pipeline_conversion(date(2027, 1, 1), date(2027, 1, 31))
    assert figures(first_day["web"]) == (2, 2, 1, 1, Decimal("50.0"))  # A, B
    assert figures(first_day["referral"]) == (2, 2, 2, 0, Decimal("100.0"))  # E, F
    assert figures(first_day[None]) == (1, 0, 0, 0, None)  # G
    assert figures(before["web"]) == (1, 1, 1, 0, Decimal("100.0"))  # H
    assert None not in by_key(empty.items, "source")
    assert figures(empty.totals) == (0, 0, 0, 0, None)


def test_pipeline_conversion_row_level_limit(app, leads):
    admin, alice, _bob = leads
    assert admin.patch("/company", json={"sales_see_own_only": True}).status_code == 200
    with app.app_context():
        alice_user, admin_user = (db.session.get(User, alice.user_id),
                                  db.session.get(User, admin.user_id))
        assert row_limit_user_id(alice_user) == alice.user_id
        assert row_limit_user_id(admin_user) is None
        mine = pipeline_conversion(FROM, TO, limit_user_id=alice.user_id)
        everything = pipeline_conversion(FROM, TO)
    rows = by_key(mine.items, "source")
    assert figures(rows["web"]) == (2, 2, 1, 1, Decimal("50.0"))
    assert figures(rows["referral"]) == (1, 1, 1, 0, Decimal("100.0"))
    assert None not in rows
    assert figures(mine.totals) == (3, 3, 2, 1, Decimal("66.7"))
    assert figures(everything.totals) == (8, 5, 3, 1, Decimal("75.0"))


def test_pipeline_conversion_keeps_an_unknown_stored_source(app, leads):
    """A value outside LEAD_SOURCES (older data) gets its own row after the known ones,
    labelled with itself."""
    from crm.leads.models import Lead

    with app.app_context():
        db.session.execute(db.update(Lead).where(Lead.title == "Lead D")
                           .values(source="tradeshow"))
        db.session.commit()
        with app.test_request_context():
            items = pipeline_conversion(FROM, TO).items
    assert [i["source"] for i in items][-2:] == ["tradeshow", None]
    rows = by_key(items, "source")
    assert rows["tradeshow"]["label"] == "tradeshow"
    assert figures(rows["tradeshow"]) == (1, 0, 0, 0, None)
    assert figures(rows["web"]) == (3, 3, 1, 1, Decimal("50.0"))


def test_pipeline_conversion_is_one_query(app, leads):
    from tests.conftest import sql_statements

    with app.app_context():
        _, statements = sql_statements(app, lambda: pipeline_conversion(FROM, TO))
    assert len([s for s in statements if "leads" in s]) == 1


# --------------------------------------------------------------------------- tickets


@pytest.fixture
def tickets(api_as):
    """Tickets of three priorities (none low) with SLA urgent 1h/4h, high 4h/24h, normal
    8h/72h (the defaults), created at T0 = 12-01 09:00 +08:00 unless said:

        ticket  priority  first public reply      resolved                 notes
        U1      urgent    +30 min (met)           +3 h (met)               internal note +10 min
        U2      urgent    +2 h (late)             +5 h (late)
        U3      urgent    none                    no                       internal note +20 min
        H1      high      +4 h (met, at the due)  closed +30 h (late)
        N1      normal    +1 h (met)              no
        N2      normal    +9 h (late)             no                       created 12-02 09:00
        X       urgent    +10 min                 +1 h                     created 11-30 23:00,
                                                                           out of the range
    urgent: 3 tickets, responded 2, met 1 -> 50.0; resolved 2, met 1 -> 50.0; median of
    0.5 h and 2 h = 1.25. high: 1, 1 met -> 100.0; 1 resolved, 0 met -> 0.0; median 4.00.
    normal: 2, 1 of 2 met -> 50.0; none resolved -> null; median of 1 h, 9 h = 5.00.
    low: 0 and nulls. Totals: 6 tickets, 3 of 5 responses met -> 60.0, 1 of 3 resolutions
    met -> 33.3, median of 0.5, 1, 2, 4, 9 h = 2.00.
    """
    admin = api_as("admin")
    support = api_as("support")
    partner = admin.post("/partners", json={"name": "Lamp buyer 灯具买家"}).json["id"]

    def open_ticket(priority: str, when: datetime) -> int:
        with time_machine.travel(when, tick=False):
            r = support.post("/tickets", json={"partner_id": partner, "subject": "Lamp",
                                               "priority": priority})
        assert r.status_code == 201, r.json
        return r.json["id"]

    def comment(ticket_id: int, when: datetime, internal: bool = False) -> None:
        with time_machine.travel(when, tick=False):
            r = support.post(f"/tickets/{ticket_id}/comments",
                             json={"body": "Checked", "internal": internal})
        assert r.status_code == 201, r.json

    def move(ticket_id: int, when: datetime, status: str) -> None:
        with time_machine.travel(when, tick=False):
            r = support.patch(f"/tickets/{ticket_id}", json={"status": status})
        assert r.status_code == 200, r.json

    h = timedelta(hours=1)
    u1 = open_ticket("urgent", T0)
    comment(u1, T0 + timedelta(minutes=10), internal=True)
    comment(u1, T0 + timedelta(minutes=30))
    move(u1, T0 + 3 * h, "resolved")
    u2 = open_ticket("urgent", T0)
    comment(u2, T0 + 2 * h)
    move(u2, T0 + 5 * h, "resolved")
    u3 = open_ticket("urgent", T0)
    comment(u3, T0 + timedelta(minutes=20), internal=True)
    h1 = open_ticket("high", T0)
    comment(h1, T0 + 4 * h)
    move(h1, T0 + 30 * h, "closed")
    n1 = open_ticket("normal", T0)
    comment(n1, T0 + h)
    n2 = open_ticket("normal", T0 + 24 * h)
    comment(n2, T0 + 33 * h)
    x = open_ticket("urgent", at("2026-11-30T23:00:00+08:00"))
    comment(x, at("2026-11-30T23:10:00+08:00"))
    move(x, at("2026-12-01T00:00:00+08:00"), "resolved")
    return admin, support


def sla_figures(item):
    return (item["tickets"], item["first_response_met"], item["resolution_met"],
            item["first_response_met_pct"], item["resolution_met_pct"],
            item["median_first_response_hours"])


D = Decimal
EXPECTED_PRIORITIES = {
    "urgent": (3, 1, 1, D("50.0"), D("50.0"), D("1.25")),
    "high": (1, 1, 0, D("100.0"), D("0.0"), D("4.00")),
    "normal": (2, 1, 0, D("50.0"), None, D("5.00")),
    "low": (0, 0, 0, None, None, None),
}


def test_tickets_sla_per_priority(app, tickets):
    with app.app_context():
        result = tickets_sla(FROM, TO)
    assert [i["priority"] for i in result.items] == ["urgent", "high", "normal", "low"]
    assert {i["priority"]: sla_figures(i) for i in result.items} == EXPECTED_PRIORITIES
    assert sla_figures(result.totals) == (6, 3, 1, D("60.0"), D("33.3"), D("2.00"))
    urgent = result.items[0]
    # U3 (only an internal note) has no first response: out of the denominator
    assert (urgent["responded"], urgent["resolved"]) == (2, 2)


def test_tickets_sla_range_and_empty(app, tickets):
    with app.app_context():
        before = by_key(tickets_sla(date(2026, 11, 30), date(2026, 11, 30)).items,
                        "priority")
        second_day = tickets_sla(TO, TO)
        empty = tickets_sla(date(2027, 1, 1), date(2027, 1, 31))
    assert sla_figures(before["urgent"]) == (1, 1, 1, D("100.0"), D("100.0"), D("0.17"))
    assert sla_figures(second_day.totals) == (1, 0, 0, D("0.0"), None, D("9.00"))
    assert sla_figures(empty.totals) == (0, 0, 0, None, None, None)
    assert [sla_figures(i) for i in empty.items] == [(0, 0, 0, None, None, None)] * 4


def test_tickets_sla_is_one_query(app, tickets):
    """No query per ticket: one grouped query, the medians included."""
    from tests.conftest import sql_statements

    with app.app_context():
        _, statements = sql_statements(app, lambda: tickets_sla(FROM, TO))
    assert len([s for s in statements if "tickets" in s]) == 1


# --------------------------------------------------------------------------- the API and pages

RANGE = "?from=2026-12-01&to=2026-12-02"


def test_pipeline_conversion_api_json(leads, api_as):
    sales = api_as("sales")
    r = sales.get("/reports/pipeline-conversion" + RANGE)
    assert r.status_code == 200, r.json
    web = by_key(r.json["items"], "source")["web"]
    assert web == {"source": "web", "label": "Website", "leads": 4, "converted": 3, "won": 1,
                   "lost": 1, "win_rate": "50.0"}
    assert by_key(r.json["items"], "source")[None]["label"] == "No source"
    assert by_key(r.json["items"], "source")["event"]["win_rate"] is None
    assert {k: r.json[k] for k in ("leads", "converted", "won", "lost", "win_rate")} == \
        {"leads": 8, "converted": 5, "won": 3, "lost": 1, "win_rate": "75.0"}


def test_pipeline_conversion_default_range_is_this_year_to_today(leads, api_as):
    """Without ?from=&to=: 2026-01-01 up to today (company time zone): on 12-03 at noon
    in Shanghai, H (11-30) and I (12-03) count too."""
    finance = api_as("finance")
    with time_machine.travel(at("2026-12-03T12:00:00+08:00"), tick=False):
        r = finance.get("/reports/pipeline-conversion")
    assert r.status_code == 200, r.json
    assert (r.json["leads"], r.json["won"], r.json["lost"]) == (10, 4, 2)
    with time_machine.travel(at("2026-12-02T23:59:00+08:00"), tick=False):
        r = finance.get("/reports/pipeline-conversion")
    assert (r.json["leads"], r.json["won"], r.json["lost"]) == (9, 4, 1)  # not I yet


def test_pipeline_conversion_row_level_limit_in_json_and_csv(app, client, leads):
    import csv
    import io

    from tests.conftest import sign_in

    admin, alice, _bob = leads
    # Off: a salesperson reads every lead.
    assert alice.get("/reports/pipeline-conversion" + RANGE).json["leads"] == 8
    assert admin.patch("/company", json={"sales_see_own_only": True}).status_code == 200
    r = alice.get("/reports/pipeline-conversion" + RANGE)
    rows = by_key(r.json["items"], "source")
    assert (rows["web"]["leads"], rows["web"]["won"], rows["web"]["lost"]) == (2, 1, 1)
    assert (rows["referral"]["leads"], rows["referral"]["won"]) == (1, 1)
    assert None not in rows
    assert (r.json["leads"], r.json["converted"], r.json["win_rate"]) == (3, 3, "66.7")
    assert admin.get("/reports/pipeline-conversion" + RANGE).json["leads"] == 8

    exported = alice.get("/reports/pipeline-conversion" + RANGE + "&format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    by_source = {row["source"]: row for row in table}
    assert (by_source["web"]["leads"], by_source["web"]["win_rate"]) == ("2", "50.0")
    assert by_source["referral"]["leads"] == "1" and "" not in by_source
    assert sum(int(row["leads"]) for row in table) == 3

    # The page and its download, as Alice.
    with app.app_context():
        email = db.session.get(User, alice.user_id).email
    sign_in(client, email)
    page = client.get("/reports/pipeline-conversion" + RANGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pipeline conversion" in html and "Only your own records" in html
    download = client.get("/reports/pipeline-conversion" + RANGE + "&format=csv")
    text = download.get_data(as_text=True).lstrip("\ufeff")
    labelled = list(csv.reader(io.StringIO(text)))
    assert labelled[0][:3] == ["Source", "Code", "Leads"]
    assert sum(int(row[2]) for row in labelled[1:]) == 3


def test_tickets_sla_api_json_and_xlsx(tickets, api_as):
    import io

    from openpyxl import load_workbook

    _admin, support = tickets
    r = support.get("/reports/tickets-sla" + RANGE)
    assert r.status_code == 200, r.json
    assert [i["priority"] for i in r.json["items"]] == ["urgent", "high", "normal", "low"]
    urgent = r.json["items"][0]
    assert urgent == {"priority": "urgent", "label": "Urgent", "tickets": 3, "responded": 2,
                      "resolved": 2, "first_response_met": 1, "resolution_met": 1,
                      "first_response_met_pct": "50.0", "resolution_met_pct": "50.0",
                      "median_first_response_hours": "1.25"}
    low = r.json["items"][3]
    assert (low["tickets"], low["first_response_met_pct"],
            low["median_first_response_hours"]) == (0, None, None)
    assert (r.json["tickets"], r.json["first_response_met_pct"], r.json["resolution_met_pct"],
            r.json["median_first_response_hours"]) == (6, "60.0", "33.3", "2.00")

    finance = api_as("finance")
    book = finance.get("/reports/tickets-sla" + RANGE + "&format=xlsx")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("label", "priority", "tickets")
    assert rows[1][:3] == ("Urgent", "urgent", 3)


@pytest.mark.parametrize(("role", "report", "status"), [
    ("warehouse", "pipeline-conversion", 403), ("warehouse", "tickets-sla", 403),
    ("sales", "tickets-sla", 403), ("support", "pipeline-conversion", 403),
    ("sales", "pipeline-conversion", 200), ("support", "tickets-sla", 200),
    ("finance", "pipeline-conversion", 200), ("finance", "tickets-sla", 200),
    ("admin", "pipeline-conversion", 200), ("admin", "tickets-sla", 200),
])
def test_who_reads_which_report(api_as, role, report, status):
    api = api_as(role)
    assert api.get(f"/reports/{report}").status_code == status
    assert api.get(f"/reports/{report}?format=csv").status_code == status


def test_pages_refuse_and_list_by_role(app, client, login_as):
    from tests.conftest import make_user, sign_in

    login_as("warehouse")
    assert client.get("/reports/pipeline-conversion").status_code == 403
    assert client.get("/reports/tickets-sla?format=csv").status_code == 403
    index = client.get("/reports/").get_data(as_text=True)
    assert "Pipeline conversion" not in index and "Tickets SLA" not in index
    client = app.test_client()
    sign_in(client, make_user(app, "support")[1])
    index = client.get("/reports/").get_data(as_text=True)
    assert "Tickets SLA" in index and "Pipeline conversion" not in index
    page = client.get("/reports/tickets-sla").get_data(as_text=True)
    assert "internal notes do not count" in page


@pytest.mark.parametrize("report", ["pipeline-conversion", "tickets-sla"])
@pytest.mark.parametrize(("args", "field"), [
    ("?from=2026-13-01", "from"), ("?to=yesterday", "to"),
    ("?from=2026-12-02&to=2026-12-01", "to"), ("?format=pdf", "format"),
])
def test_bad_filters_are_422(admin_api, report, args, field):
    r = admin_api.get(f"/reports/{report}{args}")
    assert r.status_code == 422, r.json
    assert field in r.json["error"]["fields"]


def test_reports_in_chinese(client, login_as, leads):
    from tests.conftest import csrf_token

    login_as("admin")
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    page = client.get("/reports/tickets-sla").get_data(as_text=True)
    assert "工单 SLA" in page and "紧急" in page and "内部备注不计" in page
    page = client.get("/reports/pipeline-conversion" + RANGE).get_data(as_text=True)
    assert "线索转化" in page and "网站" in page and "无来源" in page and "赢单率" in page
