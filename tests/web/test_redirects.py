"""Open redirects (issue 15 item 2): every `next` and Referer a page follows goes through one
helper (shared.http.local_path) that only allows this site's own paths."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from shared.http import local_path
from tests.conftest import PASSWORD, csrf_token, make_user

HOSTILE = ["//evil.example/", "/\t/evil.example/", "/%09/evil.example/", "/\\evil.example",
           "/%5Cevil.example", "https://evil.example/", "javascript:alert(1)",
           "/\r\nSet-Cookie: x=1", "/%0d%0aSet-Cookie:%20x=1", " /evil", "/%2F/evil.example"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/invoices/7", "/leads/?q=a%20b&page=2",
                                    "/customers/3#timeline"])
def test_own_paths_are_kept(target):
    assert local_path(target) == target


def stays_here(response) -> bool:
    """Redirected to a path of this site, as a browser would read the Location header."""
    location = urlsplit(response.headers["Location"])
    path = location.path + (f"?{location.query}" if location.query else "")
    return response.status_code in (302, 303) and not location.netloc \
        and local_path(path) is not None


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_sends_anyone_elsewhere(app, client, target):
    _, email = make_user(app, "sales")
    response = client.post("/login", query_string={"next": target}, data={
        "email": email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert stays_here(response), response.headers.get("Location")


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_never_sends_anyone_elsewhere(client, target):
    response = client.post("/language", data={"locale": "zh", "next": target,
                                              "csrf_token": csrf_token(client)})
    assert stays_here(response), response.headers.get("Location")


def test_marking_an_activity_done_and_reversing_a_payment_stay_on_the_site(
        app, client, login_as, api_as):
    sales = api_as("sales")
    lead = sales.post("/leads", json={"title": "Chairs"}).json
    activity = sales.post("/activities", json={"kind": "call", "subject": "Call",
                                               "due_date": "2026-12-01",
                                               "lead_id": lead["id"]}).json
    login_as("admin")
    token = csrf_token(client, "/")
    done = client.post(f"/activities/{activity['id']}/done",
                       data={"csrf_token": token, "next": "/%09/evil.example/"})
    assert stays_here(done), done.headers["Location"]
    reverse = client.post("/payments/999/reverse",
                          data={"csrf_token": token, "next": "//evil.example/"})
    assert reverse.status_code == 404 or stays_here(reverse)


def test_a_refused_action_goes_back_only_to_a_page_of_this_site(app, client, login_as, api_as):
    sales = api_as("sales")
    opportunity = sales.post("/opportunities", json={"title": "No customer"}).json
    login_as("sales")
    elsewhere = client.get(f"/opportunities/{opportunity['id']}/quote",
                           headers={"Referer": "https://evil.example/phish"})
    assert stays_here(elsewhere) and "evil" not in elsewhere.headers["Location"]
    here = client.get(f"/opportunities/{opportunity['id']}/quote",
                      headers={"Referer": f"http://localhost/opportunities/{opportunity['id']}"})
    assert here.headers["Location"].endswith(f"/opportunities/{opportunity['id']}")
