"""The HTML side: sign-in, sessions, forms with errors beside the fields, duplicates,
company settings, the audit page."""
from __future__ import annotations

import base64
import io
import re

from shared.partners.models import Partner
from shared.products.models import Product
from tests.conftest import PASSWORD, csrf_token, make_user, row_count, sign_in

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
                       "HwAFBQIAX8jx0gAAAABJRU5ErkJggg==")  # 1 x 1 pixel


def test_sign_in_and_out(app, client):
    _, email = make_user(app, "sales", name="Li Na")
    assert client.get("/").status_code == 302
    response = sign_in(client, email)
    assert response.status_code == 302
    assert "Li Na" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302


def test_wrong_password_shows_one_message_for_any_email(app, client):
    _, email = make_user(app, "sales")
    wrong = client.post("/login", data={"email": email, "password": "nope",
                                        "csrf_token": csrf_token(client)})
    unknown = client.post("/login", data={"email": "who@example.com", "password": "nope",
                                          "csrf_token": csrf_token(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert "Invalid email or password." in wrong.get_data(as_text=True)
    assert "Invalid email or password." in unknown.get_data(as_text=True)


def test_sign_in_is_throttled_after_repeated_failures(app, client):
    _, email = make_user(app, "sales")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": email, "password": "nope",
                                    "csrf_token": csrf_token(client)})
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_starts_a_fresh_session(app, client):
    _, email = make_user(app, "admin")
    before = csrf_token(client)
    sign_in(client, email)
    after = csrf_token(client, "/")
    assert before != after
    response = client.post("/partners/new", data={"name": "X", "csrf_token": before})
    assert response.status_code == 400


def test_next_parameter_only_redirects_inside_the_site(app, client):
    _, email = make_user(app, "sales")
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example.com/",
                           data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.location == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post("/login?next=/products/",
                           data={"email": email, "password": PASSWORD,
                                 "csrf_token": csrf_token(client)})
    assert response.location == "/products/"


def test_a_deactivated_users_session_ends_on_the_next_request(app, client, admin_api):
    user_id, email = make_user(app, "sales")
    sign_in(client, email)
    assert client.get("/partners/").status_code == 200
    admin_api.patch(f"/users/{user_id}", json={"active": False})
    assert client.get("/partners/").status_code == 302


def test_a_password_reset_ends_other_sessions(app, client, admin_api):
    user_id, email = make_user(app, "sales")
    sign_in(client, email)
    admin_api.patch(f"/users/{user_id}", json={"password": "a new password"})
    assert client.get("/").status_code == 302


def test_partner_form_shows_errors_beside_the_fields_and_writes_nothing(app, client, login_as):
    login_as("sales")
    response = client.post("/partners/new", data={
        "name": "", "email": "bad", "credit_limit": "-1", "payment_term_days": "x",
        "kind": "company", "csrf_token": csrf_token(client, "/")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("is-invalid") >= 4
    assert "This field is required." in html and "Not a valid email address." in html
    assert row_count(app, Partner) == 0


def test_partner_create_edit_and_show(app, client, login_as):
    login_as("sales")
    token = csrf_token(client, "/")
    response = client.post("/partners/new", data={
        "name": "杭州客户", "kind": "company", "email": "kehu@example.com", "city": "杭州",
        "payment_term_days": "45", "credit_limit": "1000", "is_customer": "y",
        "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "杭州客户" in page and "P00001" in page
    partner_id = int(response.location.rstrip("/").split("/")[-1])
    edited = client.post(f"/partners/{partner_id}/edit", data={
        "name": "杭州新客户", "kind": "company", "email": "kehu@example.com",
        "payment_term_days": "45", "code": "P00001", "csrf_token": token})
    assert edited.status_code == 302
    assert "杭州新客户" in client.get(edited.location).get_data(as_text=True)


def test_duplicate_partner_offers_the_existing_record_then_creates_anyway(app, client, login_as):
    login_as("sales")
    token = csrf_token(client, "/")
    data = {"name": "First", "kind": "company", "email": "same@example.com",
            "payment_term_days": "30", "csrf_token": token}
    client.post("/partners/new", data=data)
    response = client.post("/partners/new", data={**data, "name": "Second"})
    html = response.get_data(as_text=True)
    assert 'data-testid="duplicate-warning"' in html
    assert "/partners/1" in html and "First" in html
    assert 'name="allow_duplicate" type="hidden" value="1"' in html
    assert row_count(app, Partner) == 1
    again = client.post("/partners/new", data={**data, "name": "Second", "allow_duplicate": "1"})
    assert again.status_code == 302
    assert row_count(app, Partner) == 2


def test_partner_list_search_filter_and_htmx_partial(app, client, login_as, api_as):
    api = api_as("sales")
    api.post("/partners", json={"name": "Alpha Trading", "is_supplier": True})
    api.post("/partners", json={"name": "Beta Retail"})
    login_as("sales")
    html = client.get("/partners/?q=alpha").get_data(as_text=True)
    assert "Alpha Trading" in html and "Beta Retail" not in html
    html = client.get("/partners/?role=suppliers").get_data(as_text=True)
    assert "Alpha Trading" in html and "Beta Retail" not in html
    partial = client.get("/partners/?q=beta", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Beta Retail" in partial and "<html" not in partial


def test_partner_list_paginates(app, client, login_as, api_as):
    api = api_as("sales")
    for i in range(55):
        api.post("/partners", json={"name": f"Partner {i:02d}"})
    login_as("sales")
    first = client.get("/partners/").get_data(as_text=True)
    assert "Partner 54" in first and "Partner 04" not in first
    second = client.get("/partners/?page=2").get_data(as_text=True)
    assert "Partner 04" in second and "Partner 54" not in second


def test_product_form(app, client, login_as, api_as):
    supplier = api_as("admin").post("/partners", json={"name": "Sup", "is_supplier": True}).json
    login_as("warehouse")
    token = csrf_token(client, "/")
    bad = client.post("/products/new", data={"sku": "", "name": "Lamp", "type": "stockable",
                                              "list_price": "abc", "csrf_token": token})
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    assert row_count(app, Product) == 0
    ok = client.post("/products/new", data={
        "sku": "LAMP-1", "name": "台灯", "type": "stockable", "uom": "unit", "list_price": "199",
        "cost_price": "90", "reorder_qty": "0", "default_supplier_id": str(supplier["id"]),
        "active": "y", "csrf_token": token})
    assert ok.status_code == 302
    page = client.get(ok.location).get_data(as_text=True)
    assert "台灯" in page and "Sup" in page and "199.00" in page
    dup = client.post("/products/new", data={"sku": "LAMP-1", "name": "x", "type": "stockable",
                                              "csrf_token": token})
    assert "Already used by 台灯" in dup.get_data(as_text=True)


def test_users_admin_pages(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/")
    response = client.post("/admin/users/new", data={
        "email": "new@example.com", "name": "New", "roles": ["sales", "finance"],
        "password": "long enough", "active": "y", "csrf_token": token})
    assert response.status_code == 302
    html = client.get("/admin/users").get_data(as_text=True)
    assert "new@example.com" in html
    bad = client.post("/admin/users/new", data={"email": "x", "password": "short",
                                                "csrf_token": token})
    assert bad.get_data(as_text=True).count("invalid-feedback") >= 3


def test_company_settings_and_logo(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/")
    response = client.post("/admin/company", data={
        "name": "西湖贸易", "currency": "CNY", "default_tax_rate": "13", "locale": "zh",
        "logo": (io.BytesIO(PNG), "logo.png"), "csrf_token": token},
        content_type="multipart/form-data")
    assert response.status_code == 302
    logo = client.get("/company/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert image_of(logo.data) == ("PNG", (1, 1))  # decoded and written again
    bad = client.post("/admin/company", data={
        "name": "西湖贸易", "currency": "CNY", "default_tax_rate": "13",
        "logo": (io.BytesIO(b"GIF89a not allowed"), "logo.gif"), "csrf_token": token},
        content_type="multipart/form-data")
    assert "A PNG or JPEG image, please." in bad.get_data(as_text=True)


def image_of(content: bytes) -> tuple[str, tuple[int, int]]:
    from PIL import Image
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        return image.format, image.size


def post_company(client, **fields):
    data = {"name": "西湖贸易", "currency": "CNY", "default_tax_rate": "13", "locale": "zh",
            "csrf_token": csrf_token(client, "/"), **fields}
    return client.post("/admin/company", data=data, content_type="multipart/form-data")


def stored_logo(app) -> tuple[bytes | None, str | None, str]:
    from shared.company.services import get_company
    with app.app_context():
        company = get_company()
        return company.logo, company.logo_mimetype, company.name


def test_company_page_opens_saves_and_removes_once_a_logo_exists(app, client, login_as):
    login_as("admin")
    assert post_company(client, logo=(io.BytesIO(PNG), "logo.png")).status_code == 302
    page = client.get("/admin/company")
    assert page.status_code == 200 and "/company/logo" in page.get_data(as_text=True)
    kept = post_company(client, name="Westlake Trading")  # no new file: the logo stays
    assert kept.status_code == 302
    logo, mimetype, name = stored_logo(app)
    assert logo and mimetype == "image/png" and name == "Westlake Trading"
    assert post_company(client, remove_logo="y").status_code == 302
    assert stored_logo(app)[:2] == (None, None)
    assert client.get("/company/logo").status_code == 404
    assert client.get("/admin/company").status_code == 200


def test_a_png_signature_followed_by_html_is_refused_beside_the_field(app, client, login_as):
    login_as("admin")
    fake = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"
    response = post_company(client, name="Changed", logo=(io.BytesIO(fake), "logo.png"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'name="logo"[^>]*>\s*<div class="invalid-feedback[^"]*">[^<]*damaged', html)
    assert stored_logo(app) == (None, None, "My Company")  # nothing written
    jpeg = b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"
    assert "damaged" in post_company(client, logo=(io.BytesIO(jpeg), "logo.jpg")).get_data(
        as_text=True)
    assert stored_logo(app)[0] is None


def test_a_logo_is_written_again_so_nothing_hidden_in_it_is_served(app, client, login_as):
    from PIL import Image
    login_as("admin")
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "JPEG", comment=b"<script>alert(1)</script>")
    polyglot = buffer.getvalue() + b"<html><script>alert(2)</script></html>"
    assert post_company(client, logo=(io.BytesIO(polyglot), "logo.jpg")).status_code == 302
    served = client.get("/company/logo")
    assert served.mimetype == "image/jpeg" and image_of(served.data) == ("JPEG", (20, 10))
    assert b"<script>" not in served.data and b"<html>" not in served.data
    png = io.BytesIO(PNG + b"<html><script>alert(3)</script></html>")
    assert post_company(client, logo=(png, "logo.png")).status_code == 302
    served = client.get("/company/logo")
    assert image_of(served.data) == ("PNG", (1, 1)) and b"<script>" not in served.data


def test_audit_page_shows_a_records_history(app, client, login_as, api_as):
    api = api_as("sales")
    partner = api.post("/partners", json={"name": "Before"}).json
    api.patch(f"/partners/{partner['id']}", json={"name": "After"})
    login_as("admin")
    html = client.get(f"/admin/audit/partners/{partner['id']}").get_data(as_text=True)
    assert html.count('data-testid="audit-entry"') == 2
    assert "Before" in html and "After" in html


def test_language_choice_is_kept_per_user(app, client):
    _, email = make_user(app, "sales")
    sign_in(client, email)
    client.post("/language", data={"locale": "zh", "csrf_token": csrf_token(client, "/")})
    other = app.test_client()
    sign_in(other, email)
    assert 'lang="zh-CN"' in other.get("/").get_data(as_text=True)


def test_assets_are_served_by_the_app_itself(app, client, login_as):
    login_as("sales")
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html and "http://" not in html.replace("http://localhost", "")
    for asset in re_assets(html):
        assert client.get(asset).status_code == 200, asset


def re_assets(html: str) -> list[str]:
    import re

    assets = re.findall(r'(?:src|href)="(/(?:static|bootstrap)/[^"]+)"', html)
    assert any("bootstrap" in a and a.endswith(".css") for a in assets)
    assert any("htmx" in a for a in assets)
    return assets
