"""CSV import (preview, all or nothing with line numbers, import record) and export."""
from __future__ import annotations

import csv
import io
import re

import pytest

from crm.leads.models import Lead, LeadImport
from tests.conftest import csrf_token, row_count

GOOD = ("title,company_name,email,phone,source,expected_revenue\n"
        "Chairs,Lotus Retail,a@lotus.cn,+86 571 1111 2222,web,100.50\n"
        "\"Lamps, desk\",云帆科技,b@yunfan.cn,,referral,\n"
        "Paper,,,,,\n")


def upload(client, content: str, filename: str = "leads.csv"):
    token = csrf_token(client, "/leads/import")
    return client.post("/leads/import", data={
        "csrf_token": token, "file": (io.BytesIO(content.encode("utf-8")), filename)},
        content_type="multipart/form-data")


def confirm(client, preview_html: str, mapping: dict[int, str] | None = None):
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview_html).group(1)
    headers = re.findall(r'name="header" value="([^"]*)"', preview_html)
    data = {"csrf_token": csrf_token(client, "/leads/import"), "token": token,
            "filename": "leads.csv", "header": headers}
    for index, _header in enumerate(headers):
        selected = re.search(rf'name="map-{index}".*?<option value="(\w+)" selected',
                             preview_html, re.S)
        data[f"map-{index}"] = (mapping or {}).get(index, selected.group(1) if selected else "")
    return client.post("/leads/import/confirm", data=data)


def test_preview_shows_mapping_and_first_rows_then_imports_all(app, client, login_as):
    user_id, _ = login_as("sales")
    preview = upload(client, GOOD)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="import-preview"' in html
    assert "Lotus Retail" in html and "Import 3 leads" in html
    assert row_count(app, Lead) == 0  # nothing before the confirmation
    done = confirm(client, html)
    assert done.status_code == 302
    with app.app_context():
        from shared.extensions import db
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        record = db.session.scalar(db.select(LeadImport))
        assert [lead.title for lead in leads] == ["Chairs", "Lamps, desk", "Paper"]
        assert {lead.owner_id for lead in leads} == {user_id}
        assert {lead.import_id for lead in leads} == {record.id}
        assert str(leads[0].expected_revenue) == "100.50" and leads[0].email_key == "a@lotus.cn"
        assert (record.user_id, record.row_count, record.filename) == (user_id, 3, "leads.csv")
    assert "leads.csv" in client.get("/leads/import").get_data(as_text=True)


def test_one_bad_line_imports_nothing_and_every_bad_line_is_reported(app, client, login_as):
    login_as("sales")
    content = ("title,email,phone,expected_revenue,source,owner_email\n"
               "Good one,ok@x.cn,,10,,\n"
               ",bad-email,12,-5,tv,\n"            # line 3: five problems
               "Good two,,,,,\n"
               "\n"                                  # blank line 5 is skipped
               "Third,,,abc,,nobody@example.com\n")  # line 6
    html = upload(client, content).get_data(as_text=True)
    result = confirm(client, html)
    page = result.get_data(as_text=True)
    assert result.status_code == 422 and "Nothing was imported" in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", page, re.S)
    assert [int(line) for line, _ in rows] == [3, 6]
    line3 = re.findall(r"<li>([^<]*)</li>", rows[0][1])  # one sentence per bad field
    assert sorted(problem.split(":")[0] for problem in line3) == [
        "Email", "Expected revenue", "Phone", "Source", "Title"]
    assert "Owner&#39;s email" in rows[1][1] or "Owner's email" in rows[1][1]
    assert row_count(app, Lead) == 0 and row_count(app, LeadImport) == 0


def test_sources_may_be_given_as_the_labels_the_pages_show(app, client, login_as):
    login_as("sales")
    content = "title,source\nA,Website\nB,网站\nC,COLD CALL\nD,referral\n"
    assert confirm(client, upload(client, content).get_data(as_text=True)).status_code == 302
    with app.app_context():
        from shared.extensions import db
        assert db.session.scalars(db.select(Lead.source).order_by(Lead.id)).all() == [
            "web", "web", "cold_call", "referral"]


def test_line_numbers_count_multi_line_cells(app, client, login_as):
    login_as("sales")
    content = 'title,notes\nA,"two\nlines"\n,x\n'
    result = confirm(client, upload(client, content).get_data(as_text=True))
    assert re.findall(r"<tr><td>(\d+)</td>", result.get_data(as_text=True)) == ["4"]


def test_mapping_can_be_changed_and_unknown_headers_are_ignored(app, client, login_as):
    login_as("sales")
    html = upload(client, "名称,标题,whatever\nShop A,Chairs,zzz\n").get_data(as_text=True)
    assert confirm(client, html, mapping={0: "company_name"}).status_code == 302
    with app.app_context():
        from shared.extensions import db
        lead = db.session.scalar(db.select(Lead))
        assert (lead.title, lead.company_name) == ("Chairs", "Shop A")


def test_a_file_without_a_title_column_is_refused(app, client, login_as):
    login_as("sales")
    response = upload(client, "name,email\nA,b@c.cn\n")
    assert "No column is called title" in response.get_data(as_text=True)


@pytest.mark.slow
def test_ten_thousand_rows_import_in_seconds(app, client, login_as):
    import time

    login_as("sales")
    lines = ["title,company_name,email,phone,source,expected_revenue"]
    lines += [f"Lead {n},Company {n},buyer{n}@example.com,+86 571 {n:08d},web,{n}.25"
              for n in range(10_000)]
    html = upload(client, "\n".join(lines) + "\n").get_data(as_text=True)
    started = time.perf_counter()
    assert confirm(client, html).status_code == 302
    assert time.perf_counter() - started < 30
    assert row_count(app, Lead) == 10_000


def export(client, query: str = "") -> list[dict]:
    response = client.get(f"/leads/export.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_export_honours_the_filters_and_round_trips(app, client, login_as, api_as):
    sales = api_as("sales")
    sales.post("/leads", json={"title": "Web lead", "source": "web", "email": "w@x.cn",
                               "expected_revenue": "12.30"})
    sales.post("/leads", json={"title": "Event lead", "source": "event"})
    login_as("sales")
    assert {row["title"] for row in export(client)} == {"Web lead", "Event lead"}
    rows = export(client, "?source=web")
    assert [row["title"] for row in rows] == ["Web lead"]
    assert rows[0]["expected_revenue"] == "12.30" and rows[0]["email"] == "w@x.cn"
    assert rows[0]["owner_email"].startswith("sales-")
    assert export(client, "?q=Event")[0]["title"] == "Event lead"
    assert export(client, "?mine=1") == []


FORMULAS = {"title": "=HYPERLINK(\"http://evil.example\",\"click\")",
            "company_name": "@SUM(A1:A9)", "notes": "+1+cmd|' /C calc'!A0", "city": "-2+3",
            "phone": "+86 571 1111 2222", "expected_revenue": "2.50"}


def test_export_neutralises_formula_cells_and_imports_them_back_unchanged(app, client,
                                                                          login_as, api_as):
    assert api_as("sales").post("/leads", json=FORMULAS).status_code == 201
    login_as("sales")
    response = client.get("/leads/export.csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(text)))
    for name in ("title", "company_name", "notes", "city", "phone"):
        assert row[name] == "'" + FORMULAS[name], name
    assert row["expected_revenue"] == "2.50"  # a number stays a number
    # the exported file imports as the same leads
    html = upload(client, text, "export.csv").get_data(as_text=True)
    assert confirm(client, html).status_code == 302
    with app.app_context():
        from shared.extensions import db
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        assert len(leads) == 2
        for name in ("title", "company_name", "notes", "city", "phone"):
            assert getattr(leads[1], name) == FORMULAS[name], name
