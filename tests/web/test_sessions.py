"""Server-side sign-in sessions: signing out ends the session on the server, so a copied
cookie is dead; a password reset ends every session of the user."""
from __future__ import annotations

from sqlalchemy import select

from shared.extensions import db
from shared.users.models import UserSession
from tests.conftest import csrf_token, make_user, sign_in


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, value: str):
    """A new browser that carries a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def test_a_copied_cookie_signs_nobody_in_after_sign_out(app, client):
    _, email = make_user(app, "sales")
    assert sign_in(client, email).status_code == 302
    copied = session_cookie(client)
    assert replay(app, copied).get("/").status_code == 200  # the copy works while signed in
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = replay(app, copied)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/invoices/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(UserSession.ended_at)) is not None


def test_signing_out_ends_only_that_session(app, client):
    _, email = make_user(app, "sales")
    phone, desktop = client, app.test_client()
    sign_in(phone, email)
    sign_in(desktop, email)
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    assert phone.get("/").status_code == 302
    assert desktop.get("/").status_code == 200


def test_a_password_reset_ends_every_session_of_the_user(app, client, admin_api):
    user_id, email = make_user(app, "sales")
    _, other_email = make_user(app, "sales")
    desktop, bystander = app.test_client(), app.test_client()
    sign_in(client, email)
    sign_in(desktop, email)
    sign_in(bystander, other_email)
    copied = session_cookie(desktop)
    r = admin_api.patch(f"/users/{user_id}", json={"password": "a brand new one"})
    assert r.status_code == 200
    assert client.get("/").status_code == 302
    assert desktop.get("/").status_code == 302
    assert replay(app, copied).get("/").status_code == 302
    assert bystander.get("/").status_code == 200
    assert sign_in(app.test_client(), email, "a brand new one").status_code == 302


def test_a_session_cookie_of_the_old_form_signs_nobody_in(app, client):
    user_id, email = make_user(app, "sales")
    sign_in(client, email)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:1"  # what cookies held before sessions were rows
    assert client.get("/").status_code == 302


def test_the_session_lookup_is_one_query_per_request(app, client):
    from tests.conftest import sql_statements

    _, email = make_user(app, "sales")
    sign_in(client, email)
    _, statements = sql_statements(app, lambda: client.get("/account/tokens"))
    lookups = [s for s in statements if "user_sessions" in s]
    assert len(lookups) == 1, lookups  # last_seen_at is written at most once a minute
