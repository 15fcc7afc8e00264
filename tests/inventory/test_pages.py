"""The inventory pages: who may open them, the scanner, reversals, the ledger, levels,
counts, locations, low stock and the product page's stock panel."""
from __future__ import annotations

import io
import re

import pytest

from erp.inventory.models import StockMove
from tests.conftest import csrf_token, row_count, sql_statements

PAGES = {  # path -> roles allowed
    "/inventory/scan": {"admin", "warehouse"},
    "/inventory/counts/new": {"admin", "warehouse"},
    "/inventory/moves": {"admin", "warehouse", "finance"},
    "/inventory/locations": {"admin", "warehouse", "finance"},
    "/inventory/levels": {"admin", "sales", "warehouse", "finance", "support"},
    "/inventory/low-stock": {"admin", "sales", "warehouse", "finance", "support"},
}
ROLES = ("admin", "sales", "warehouse", "finance", "support")


@pytest.mark.parametrize("role", ROLES)
def test_each_page_is_open_to_its_roles_only(client, login_as, stock, role):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    login_as(role)
    for path, allowed in PAGES.items():
        response = client.get(path)
        assert response.status_code == (200 if role in allowed else 403), (role, path)
    nav = client.get("/").get_data(as_text=True)
    assert ("/inventory/scan" in nav) == (role in PAGES["/inventory/scan"])
    assert ("/inventory/moves" in nav) == (role in PAGES["/inventory/moves"])
    assert "/inventory/levels" in nav


def test_low_stock_badge_only_for_stock_writers(client, login_as, stock):
    stock.product("LOW", reorder_point="5", reorder_qty="10")
    login_as("warehouse")
    assert 'data-testid="low-stock-badge">1<' in client.get("/").get_data(as_text=True)
    other = client.application.test_client()
    from tests.conftest import make_user, sign_in
    _, email = make_user(client.application, "sales")
    sign_in(other, email)
    html = other.get("/").get_data(as_text=True)
    assert "low-stock-badge" not in html and "/inventory/low-stock" in html


def scan(client, token, code, quantity="1", **extra):
    return client.post("/inventory/scan", headers={"HX-Request": "true"},
                       data={"code": code, "quantity": quantity, "csrf_token": token, **extra})


def test_scanner_records_a_move_and_shows_the_new_level(app, client, login_as, stock):
    lamp = stock.product("LAMP", barcode="6901234567892")
    login_as("warehouse")
    page = client.get("/inventory/scan").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', page)
    assert 'name="quantity" value="1"' in page
    token = csrf_token(client, "/inventory/scan")
    first = scan(client, token, "6901234567892", move_type="receipt",
                 location_id=stock.loc["WH/Stock"])
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "<html" not in html
    assert 'data-scan-status="success"' in html and "Product LAMP" in html
    assert 'data-testid="scan-on-hand">1<' in html
    again = scan(client, token, "LAMP", "3", move_type="receipt",
                 location_id=stock.loc["WH/Stock"]).get_data(as_text=True)
    assert 'data-testid="scan-on-hand">4<' in again
    assert 'id="recent-moves" hx-swap-oob="true"' in again
    assert again.count('data-testid="move-row"') == 2
    assert stock.on_hand(lamp) == "4.000"


def test_unknown_code_and_insufficient_stock_write_nothing(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 3)
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    before = row_count(app, StockMove)
    unknown = scan(client, token, "NOPE", move_type="receipt",
                   location_id=stock.loc["WH/Stock"]).get_data(as_text=True)
    assert 'data-scan-status="error"' in unknown and "Unknown barcode or SKU: NOPE" in unknown
    short = scan(client, token, "LAMP", "5", move_type="delivery",
                 location_id=stock.loc["WH/Stock"]).get_data(as_text=True)
    assert 'data-scan-status="error"' in short
    assert "Only 3 of LAMP available at WH/Stock" in short
    assert row_count(app, StockMove) == before
    assert stock.on_hand(lamp) == "3.000"


def test_scanner_without_htmx_renders_the_whole_page(client, login_as, stock):
    stock.product("LAMP")
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    response = client.post("/inventory/scan", data={"code": "NOPE", "csrf_token": token,
                                                    "location_id": stock.loc["WH/Stock"]})
    assert response.status_code == 422
    assert "<html" in response.get_data(as_text=True)


def test_scanner_remembers_the_move_type_and_locations(client, login_as, stock):
    lamp = stock.product("LAMP")
    shelf = stock.location("WH/Shelf-A")
    stock.receive(lamp, 5)
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    html = scan(client, token, "LAMP", "2", move_type="transfer",
                location_id=stock.loc["WH/Stock"], to_location_id=shelf).get_data(as_text=True)
    assert 'data-scan-status="success"' in html
    assert stock.on_hand(lamp, "WH/Shelf-A") == "2.000"
    page = client.get("/inventory/scan").get_data(as_text=True)
    assert re.search(r'<option value="transfer" selected', page)
    to_select = page.split('name="to_location_id"')[1].split("</select>")[0]
    assert f'<option value="{shelf}" selected' in to_select


def test_reverse_from_the_ui(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    move = stock.receive(lamp, 5)
    login_as("warehouse")
    page = client.get("/inventory/moves").get_data(as_text=True)
    assert f"/inventory/moves/{move['id']}/reverse" in page and "data-confirm=" in page
    token = csrf_token(client, "/inventory/moves")
    response = client.post(f"/inventory/moves/{move['id']}/reverse",
                           data={"csrf_token": token, "next": "/inventory/moves"})
    assert response.status_code == 302 and response.location == "/inventory/moves"
    assert stock.on_hand(lamp) == "0.000"
    html = client.get("/inventory/moves").get_data(as_text=True)
    assert ">reversed<" in html and "reversal of move" in html
    assert f"/inventory/moves/{move['id']}/reverse" not in html
    again = client.post(f"/inventory/moves/{move['id']}/reverse", data={"csrf_token": token},
                        headers={"Referer": "/inventory/moves"})
    assert again.status_code == 302
    assert "already been reversed" in client.get("/inventory/moves").get_data(as_text=True)
    assert row_count(app, StockMove) == 2


def test_finance_reads_the_ledger_without_reverse_buttons(client, login_as, stock):
    stock.receive(stock.product("LAMP"), 5)
    login_as("finance")
    html = client.get("/inventory/moves").get_data(as_text=True)
    assert 'data-testid="move-row"' in html and "/reverse" not in html


def test_ledger_filters_and_keyset_pages(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    desk = stock.product("DESK", name="Standing desk")
    for i in range(55):
        stock.receive(lamp, 1, reference=f"R{i:02d}")
    stock.receive(desk, 2, reference="DESK-IN")
    login_as("warehouse")
    first = client.get("/inventory/moves").get_data(as_text=True)
    assert first.count('data-testid="move-row"') == 50
    older = re.search(r'href="(/inventory/moves\?before_id=\d+)"', first)
    assert older, "no Older link"
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('data-testid="move-row"') == 6
    assert ">R00<" in second and ">R54<" not in second
    assert 'class="page-item disabled"><a class="page-link" href="#" data-testid="older-page"' \
        in second
    by_name = client.get("/inventory/moves?q=standing").get_data(as_text=True)
    assert by_name.count('data-testid="move-row"') == 1 and "DESK-IN" in by_name
    by_sku = client.get(f"/inventory/moves?product_id={lamp}").get_data(as_text=True)
    assert by_sku.count('data-testid="move-row"') == 50 and "DESK-IN" not in by_sku
    by_ref = client.get("/inventory/moves?reference=R07").get_data(as_text=True)
    assert by_ref.count('data-testid="move-row"') == 1
    today = client.get("/inventory/moves?date_from=2000-01-01&date_to=2000-01-02")
    assert today.get_data(as_text=True).count('data-testid="move-row"') == 0
    bad = client.get("/inventory/moves?date_from=yesterday")
    assert bad.status_code == 200 and "ISO 8601" in bad.get_data(as_text=True)


def test_levels_search_location_filter_and_htmx_partial(client, login_as, stock):
    lamp = stock.product("LAMP")
    desk = stock.product("DESK")
    shelf = stock.location("WH/Shelf-A")
    stock.receive(lamp, 4)
    stock.receive(desk, 2, "WH/Shelf-A")
    login_as("sales")
    html = client.get("/inventory/levels").get_data(as_text=True)
    assert html.count('data-testid="level-row"') == 2
    only = client.get(f"/inventory/levels?location_id={shelf}").get_data(as_text=True)
    assert only.count('data-testid="level-row"') == 1 and "DESK" in only
    partial = client.get("/inventory/levels?q=lamp", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and "LAMP" in text and "DESK" not in text and ">4<" in text


def test_count_form_preview_and_confirm(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    desk = stock.product("DESK")
    chair = stock.product("CHAIR", barcode="555")
    stock.receive(lamp, 5)
    stock.receive(desk, 2)
    login_as("warehouse")
    where = stock.loc["WH/Stock"]
    form = client.get(f"/inventory/counts/new?location_id={where}").get_data(as_text=True)
    assert f'name="counted-{lamp}" value=""' in form and f'name="counted-{desk}"' in form
    token = csrf_token(client, "/inventory/counts/new")
    preview = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": where, f"counted-{lamp}": "3",
        f"counted-{desk}": "", "extra_code-0": "555", "extra_qty-0": "4"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert html.count('data-testid="count-line"') == 2  # DESK left blank: not counted
    assert ">-2<" in html and ">+4<" in html
    assert row_count(app, StockMove) == 2
    confirm = client.post("/inventory/counts/confirm", data={
        "csrf_token": token, "location_id": where, "product_id": [str(lamp), str(chair)],
        "counted_qty": ["3.000", "4.000"]})
    assert confirm.status_code == 302
    assert "reference=COUNT/00001" in confirm.location.replace("%2F", "/")
    ledger = client.get(confirm.location).get_data(as_text=True)
    assert "Count COUNT/00001 confirmed" in ledger
    assert ledger.count('data-testid="move-row"') == 2
    assert stock.on_hand(lamp) == "3.000" and stock.on_hand(chair) == "4.000"
    assert stock.on_hand(desk) == "2.000"


def test_count_form_errors_are_shown_beside_the_line(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    response = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": stock.loc["WH/Stock"], f"counted-{lamp}": "-1",
        "extra_code-0": "NOPE", "extra_qty-0": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("is-invalid") == 2 and "No such product." in html
    assert f'name="counted-{lamp}" value="-1"' in html
    assert row_count(app, StockMove) == 1


def test_count_csv_reports_every_bad_line_and_applies_nothing(app, client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    content = b"sku,counted_qty\nLAMP,4\nNOPE,1\nLAMP2,x\n"
    stock.product("LAMP2")
    response = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": stock.loc["WH/Stock"],
        "file": (io.BytesIO(content), "count.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = re.findall(r'data-testid="count-error">(.*?)</li>', html)
    assert len(errors) == 2
    assert "line 3" in errors[0] and "line 4" in errors[1]
    assert row_count(app, StockMove) == 1
    good = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": stock.loc["WH/Stock"],
        "file": (io.BytesIO(b"sku,counted_qty\nLAMP,4\n"), "count.csv")},
        content_type="multipart/form-data")
    assert good.status_code == 200 and ">-1<" in good.get_data(as_text=True)


def test_location_add_and_duplicate_code(app, client, login_as):
    login_as("warehouse")
    token = csrf_token(client, "/inventory/locations")
    response = client.post("/inventory/locations", data={
        "code": "WH/Shelf-B", "name": "Shelf B", "kind": "internal", "active": "y",
        "csrf_token": token})
    assert response.status_code == 302
    assert "WH/Shelf-B" in client.get("/inventory/locations").get_data(as_text=True)
    dup = client.post("/inventory/locations", data={
        "code": "wh/shelf-b", "name": "Again", "kind": "internal", "csrf_token": token})
    html = dup.get_data(as_text=True)
    assert dup.status_code == 422
    assert re.search(r'id="code"[^>]*is-invalid|is-invalid[^>]*id="code"', html)
    assert "Already in use." in html


def test_finance_sees_locations_without_the_form(client, login_as):
    login_as("finance")
    html = client.get("/inventory/locations").get_data(as_text=True)
    assert "WH/Stock" in html and 'data-testid="location-form"' not in html


def test_low_stock_page_lists_suggestions_with_supplier(client, login_as, stock):
    supplier = stock.api.post("/partners", json={"name": "Lamp Works", "is_supplier": True}).json
    stock.product("LOW", reorder_point="5", reorder_qty="10",
                  default_supplier_id=supplier["id"])
    stock.product("OK", reorder_point="1")
    stock.receive(stock.product("FULL", reorder_point="1"), 9)
    login_as("support")
    html = client.get("/inventory/low-stock").get_data(as_text=True)
    assert html.count('data-testid="low-stock-row"') == 2
    assert "Lamp Works" in html and ">10<" in html and "FULL" not in html


def test_product_page_shows_the_stock_panel(client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.location("WH/Shelf-A")
    stock.receive(lamp, 5)
    stock.transfer(lamp, 2, "WH/Stock", "WH/Shelf-A", reference="MOVE-1")
    login_as("warehouse")
    html = client.get(f"/products/{lamp}").get_data(as_text=True)
    panel = html.split('data-testid="stock-panel"')[1]
    assert "WH/Shelf-A" in panel and ">3<" in panel and "MOVE-1" in panel
    assert f"/inventory/moves?product_id={lamp}" in panel
    assert panel.count('data-testid="move-row"') == 2


def test_product_panel_without_ledger_for_sales(client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5, reference="SECRET-REF")
    login_as("sales")
    html = client.get(f"/products/{lamp}").get_data(as_text=True)
    assert 'data-testid="stock-panel"' in html and ">5<" in html
    assert "SECRET-REF" not in html and "/inventory/moves" not in html


def count_statements(app, fetch) -> int:
    response, statements = sql_statements(app, fetch)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/inventory/moves", "/inventory/scan", "/products/1"])
def test_pages_cost_the_same_queries_for_2_or_40_moves(app, client, login_as, stock, path):
    products = [stock.product(f"P{n}") for n in range(2)]
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")

    def scan_all(n):
        for i in range(n):
            scan(client, token, f"P{i % 2}", move_type="receipt",
                 location_id=stock.loc["WH/Stock"])

    scan_all(2)
    few = count_statements(app, lambda: client.get(path))
    scan_all(38)
    many = count_statements(app, lambda: client.get(path))
    assert many == few, (path, few, many)
    assert products


def test_confirm_below_reserved_shows_the_preview_again_and_writes_nothing(
        app, client, login_as, stock):
    from erp.inventory import services
    from shared.extensions import db

    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    with app.app_context():
        services.reserve_available(lamp, stock.loc["WH/Stock"], services.ZERO + 4)
        db.session.commit()
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    response = client.post("/inventory/counts/confirm", data={
        "csrf_token": token, "location_id": stock.loc["WH/Stock"], "product_id": str(lamp),
        "counted_qty": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'data-testid="count-preview"' in html and "reserved for orders" in html
    assert row_count(app, StockMove) == 1 and stock.on_hand(lamp) == "5.000"
    with app.app_context():  # leave the ledger and balances consistent
        services.release_reserved(lamp, stock.loc["WH/Stock"], services.ZERO + 4)
        db.session.commit()


def test_ledger_pages_by_key_without_offset_or_count(app, client, login_as, stock):
    from sqlalchemy import event

    from shared.extensions import db

    lamp = stock.product("LAMP")
    moves = [stock.receive(lamp, 1) for _ in range(3)]
    login_as("finance")
    statements = []

    def record(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get(f"/inventory/moves?before_id={moves[-1]['id']}") \
            .get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert html.count('data-testid="move-row"') == 2
    ledger = [(s, p) for s, p in statements
              if "FROM stock_moves" in s and "reverses_id IN" not in s]
    assert ledger and not any("COUNT(" in s.upper() for s, _ in ledger)
    for statement, parameters in ledger:  # SQLite always writes OFFSET; it must be 0
        if statement.rstrip().endswith("OFFSET ?"):
            assert parameters[-1] == 0
        else:
            assert "OFFSET" not in statement.upper()


def test_count_without_lines_or_with_a_bad_csv_header_says_why(client, login_as, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 5)
    login_as("warehouse")
    token = csrf_token(client, "/inventory/scan")
    where = stock.loc["WH/Stock"]
    blank = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": where, f"counted-{lamp}": ""})
    assert blank.status_code == 422
    assert "Count at least one product." in blank.get_data(as_text=True)
    header = client.post("/inventory/counts/preview", data={
        "csrf_token": token, "location_id": where,
        "file": (io.BytesIO(b"code;qty\nLAMP;1\n"), "count.csv")},
        content_type="multipart/form-data")
    assert header.status_code == 422
    assert "Missing column sku or counted_qty." in header.get_data(as_text=True)
