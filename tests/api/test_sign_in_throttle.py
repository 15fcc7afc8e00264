"""Sign-in throttling per account and per address, in the database (shared/users/throttle.py):
a flood of made-up emails from one address locks no real account, X-Forwarded-For counts only
behind configured proxies, and every application instance sees the same counts."""
from __future__ import annotations

from sqlalchemy import func, select

from shared.extensions import db
from shared.users.models import LoginFailure
from tests.conftest import PASSWORD, csrf_token, make_user, sign_in


def flood(client, n: int, start: int = 0, **kw) -> None:
    """n failed token requests for made-up emails (nobody<start>@, nobody<start + 1>@, ...)."""
    for i in range(start, start + n):
        r = client.post("/api/v1/auth/token", json={"email": f"nobody{i}@example.com",
                                                    "password": "guess-123"}, **kw)
        assert r.status_code in (401, 429)


def test_a_flood_of_made_up_emails_does_not_lock_out_a_real_user(app, client):
    _, email = make_user(app, "sales")
    flood(client, 30)
    # the same address, a browser that never signed in here, the right password
    assert sign_in(client, email).status_code == 302
    assert client.get("/").status_code == 200
    other = app.test_client()
    r = other.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201


def test_past_the_address_limit_only_browsers_that_signed_in_before_get_in(app, client):
    _, email = make_user(app, "sales")
    assert sign_in(client, email).status_code == 302  # this browser becomes a known device
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    flood(client, app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    # a sprayer (a new browser) from that address is refused, right password or not
    stranger = app.test_client()
    r = sign_in(stranger, email)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    r = stranger.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429 and r.json["error"]["code"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) > 0
    # the user's own browser still gets in, and from another address anybody does
    assert sign_in(client, email).status_code == 302
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(elsewhere, email).status_code == 302


def test_a_forged_known_device_cookie_does_not_pass_the_address_limit(app, client):
    _, email = make_user(app, "sales")
    flood(client, app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    client.set_cookie("known_device", "1.forged.signature", path="/login")
    assert sign_in(client, email).status_code == 429


def test_wrong_passwords_lock_that_account_only_from_every_address(app, client):
    _, email = make_user(app, "sales")
    _, other_email = make_user(app, "sales")
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit >= 10
    for _ in range(limit):
        r = client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-pw"})
        assert r.status_code == 401
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    r = elsewhere.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    response = sign_in(elsewhere, email)
    assert response.status_code == 429 and "Retry-After" in response.headers
    # another account, from the guessing address itself, is not affected
    assert sign_in(client, other_email).status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(app, client):
    _, email = make_user(app, "sales")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for i in range(limit):  # a different forged address on every attempt
        flood(client, 1, start=i, headers={"X-Forwarded-For": f"203.0.113.{i % 250}"})
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginFailure.ip.distinct()))) == 1
    r = app.test_client().post("/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                               headers={"X-Forwarded-For": "192.0.2.99"})
    assert r.status_code == 429  # all of it came from the one real address


def test_forwarded_for_is_the_client_address_behind_a_trusted_proxy(another_app, app):
    proxied = another_app(TRUSTED_PROXY_HOPS=1)
    _, email = make_user(app, "sales")
    client = proxied.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    flood(client, limit, headers={"X-Forwarded-For": "203.0.113.5"})
    with app.app_context():
        assert set(db.session.scalars(select(LoginFailure.ip))) == {"203.0.113.5"}
    sprayer = proxied.test_client()
    r = sprayer.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                     headers={"X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 429
    # another client behind the same proxy (same REMOTE_ADDR) is its own address
    user = proxied.test_client()
    r = user.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                  headers={"X-Forwarded-For": "198.51.100.20"})
    assert r.status_code == 201
    # only the last hop counts: an address the client forges in front is not trusted
    r = user.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                  headers={"X-Forwarded-For": "203.0.113.5, 198.51.100.20"})
    assert r.status_code == 201


def test_every_application_instance_sees_the_same_counts(another_app, app):
    second = another_app()
    _, email = make_user(app, "sales")
    first_client, second_client = app.test_client(), second.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        first_client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-pw"})
    r = second_client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429
    with second.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == \
            app.config["LOGIN_MAX_FAILURES"]


def test_expired_failures_are_deleted_as_new_ones_are_written(app, monkeypatch):
    from datetime import timedelta

    from shared.db import utcnow
    from shared.users import throttle

    old = utcnow() - timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 5)
    with app.app_context():
        db.session.add_all([LoginFailure(email="a@example.com", ip="10.0.0.1", created_at=old),
                            LoginFailure(email="b@example.com", ip="10.0.0.2", created_at=old)])
        db.session.commit()
        monkeypatch.setattr(throttle.random, "randrange", lambda _n: 1)
        throttle.record_failure("a@example.com", "10.0.0.9")  # its own email's old row goes
        assert set(db.session.scalars(select(LoginFailure.email))) == {"a@example.com",
                                                                       "b@example.com"}
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 2
        monkeypatch.setattr(throttle.random, "randrange", lambda _n: 0)
        throttle.record_failure("c@example.com", "10.0.0.9")  # now and then: every old row
        assert set(db.session.scalars(select(LoginFailure.email))) == {"a@example.com",
                                                                       "c@example.com"}
