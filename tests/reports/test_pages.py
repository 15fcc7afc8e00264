"""The reports area's pages: the filter form, the table, totals, the explanation and the
downloads carrying the same filters, in English and Chinese."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

from tests.conftest import csrf_token, today
from tests.reports.conftest import xlsx_rows


def test_the_sales_page_filters_totals_and_downloads(books, client, login_as):
    partner = books.customer("Alpha Trading")
    books.invoice(partner, today(), (None, 2, "50.00"))
    login_as("finance")
    html = client.get(f"/reports/sales?group_by=customer&partner_id={partner}"
                      ).get_data(as_text=True)
    assert 'data-testid="report-filters"' in html and 'data-testid="report-explain"' in html
    assert "Alpha Trading" in html and "100.00" in html
    assert re.search(r'<option value="customer" selected', html)
    link = unescape(re.search(r'href="([^"]+)" data-testid="download-xlsx"', html).group(1))
    assert "group_by=customer" in link and f"partner_id={partner}" in link
    rows = xlsx_rows(client.get(link).data)
    assert rows[0][:2] == ("Key", "Name") and rows[1][1] == "Alpha Trading"
    link = unescape(re.search(r'href="([^"]+)" data-testid="download-csv"', html).group(1))
    text = client.get(link).get_data(as_text=True).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "Alpha Trading"


def test_a_bad_filter_is_shown_on_the_page_not_a_500(client, login_as):
    login_as("finance")
    later = today().isoformat()
    earlier = (today() - timedelta(days=3)).isoformat()
    response = client.get(f"/reports/sales?from={later}&to={earlier}&group_by=colour")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Must not be before the start date." in html


def test_the_pages_speak_chinese(books, client, login_as):
    login_as("finance")
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    html = client.get("/reports/").get_data(as_text=True)
    assert "报表" in html and "销售与毛利" in html
    html = client.get("/reports/stock-valuation").get_data(as_text=True)
    assert "下载 XLSX" in html and "库存估值" in html


def test_the_at_risk_page_links_each_customer(books, client, login_as):
    partner = books.customer("Quiet Customer")
    for days in (90, 80, 70):
        books.invoice(partner, today() - timedelta(days=days), (None, 1, "10.00"))
    login_as("sales")
    html = client.get("/reports/at-risk-customers").get_data(as_text=True)
    assert f'<a href="/customers/{partner}">Quiet Customer</a>' in html
