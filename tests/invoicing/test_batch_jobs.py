"""Batch PDF jobs live in the database (erp/invoicing/batch.py): any application instance (a
gunicorn worker, another server) answers a job's polls, and takes over a job whose worker
died."""
from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from datetime import timedelta

import pytest

from erp.invoicing import batch
from erp.invoicing.models import PdfBatchJob
from shared.db import utcnow
from shared.extensions import db
from tests.conftest import csrf_token, make_user, sign_in


def same_browser(app, client):
    """A client of `app` that carries `client`'s session cookie (the same browser, answered
    by another worker)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def add_job(app, user_id: int, invoice_ids: list[int], **fields) -> str:
    job_id = uuid.uuid4().hex
    with app.app_context():
        db.session.add(PdfBatchJob(**{
            "id": job_id, "user_id": user_id, "invoice_ids": ",".join(map(str, invoice_ids)),
            "total": len(invoice_ids), "done": 0, "state": "running", "runner": "gone",
            "attempts": 1, "created_at": utcnow() - timedelta(minutes=5),
            "heartbeat_at": utcnow() - timedelta(minutes=5), **fields}))
        db.session.commit()
    return job_id


def wait_for_zip(client, job_url: str, total: int) -> zipfile.ZipFile:
    deadline = time.monotonic() + 120
    html = ""
    while time.monotonic() < deadline:
        response = client.get(job_url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        if "batch-download" in html:
            break
        assert re.search(rf"\d+ / {total}", html), html
        time.sleep(0.3)
    download = re.search(r'href="([^"]+/zip)"', html).group(1)
    response = client.get(download)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == total
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    return archive


# Another worker: a separate Python process with its own application on the same database,
# which polls a job until its ZIP is ready and saves the download.
OTHER_WORKER = """
import json, sys, time
from app import create_app
from config import TestConfig

config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
client = create_app(config).test_client()
client.set_cookie("session", sys.argv[2])
statuses = []
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    response = client.get(sys.argv[3])
    statuses.append(response.status_code)
    if response.status_code != 200 or "batch-download" in response.get_data(as_text=True):
        break
    time.sleep(0.3)
download = client.get(sys.argv[3] + "/zip")
statuses.append(download.status_code)
with open(sys.argv[4], "wb") as out:
    out.write(download.data)
print(json.dumps(statuses))
"""


@pytest.mark.slow
def test_another_worker_process_answers_the_progress_and_the_download(
        app, client, database_url, login_as, make_invoice, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    ids = [make_invoice(post=True)["id"] for _ in range(2)]
    login_as("finance")
    r = client.post("/invoices/batch-pdf", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_token(client, "/invoices/"), "invoice_id": [str(i) for i in ids]})
    job_url = re.search(r'hx-get="([^"]+)"', r.get_data(as_text=True)).group(1)
    saved = tmp_path / "batch.zip"
    run = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, database_url, client.get_cookie("session").value,
         job_url, str(saved)], capture_output=True, text=True, timeout=180,
        cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr[-3000:]
    statuses = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(statuses) == {200}, statuses  # never a 404 from the worker that did not start it
    archive = zipfile.ZipFile(saved)
    assert len(archive.namelist()) == 2
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())


@pytest.mark.slow
def test_a_job_whose_worker_died_is_taken_over_and_finished(app, client, another_app,
                                                            login_as, make_invoice):
    posted = make_invoice(post=True)["id"]
    draft = make_invoice()["id"]
    user_id, _ = login_as("finance")
    job_id = add_job(app, user_id, [posted, draft])  # "running", its heartbeat 5 minutes old
    other_worker = same_browser(another_app(), client)
    wait_for_zip(other_worker, f"/invoices/batch-pdf/{job_id}", 2)
    with app.app_context():
        job = db.session.get(PdfBatchJob, job_id)
        assert job.state == "done" and job.runner != "gone" and job.attempts == 2


def test_a_job_with_a_live_heartbeat_is_left_to_its_worker(app, client, login_as):
    user_id, _ = login_as("finance")
    job_id = add_job(app, user_id, [1, 2, 3], runner="alive", done=1,
                     heartbeat_at=utcnow() - timedelta(seconds=5))
    html = client.get(f"/invoices/batch-pdf/{job_id}").get_data(as_text=True)
    assert "1 / 3" in html
    with app.app_context():
        assert db.session.get(PdfBatchJob, job_id).runner == "alive"


def test_a_job_that_keeps_killing_its_worker_is_given_up(app, client, login_as):
    user_id, _ = login_as("finance")
    job_id = add_job(app, user_id, [1], attempts=batch.MAX_ATTEMPTS)
    html = client.get(f"/invoices/batch-pdf/{job_id}").get_data(as_text=True)
    assert "could not be made" in html and "hx-get" not in html
    with app.app_context():
        assert db.session.get(PdfBatchJob, job_id).state == "failed"


def test_only_the_owner_follows_or_downloads_a_job(app, client, login_as):
    user_id, _ = login_as("finance")
    job_id = add_job(app, user_id, [1], state="done", done=1, content=b"PK-zip")
    assert client.get(f"/invoices/batch-pdf/{job_id}/zip").data == b"PK-zip"
    other = app.test_client()
    _, email = make_user(app, "finance")
    sign_in(other, email)
    assert other.get(f"/invoices/batch-pdf/{job_id}").status_code == 404
    assert other.get(f"/invoices/batch-pdf/{job_id}/zip").status_code == 404
    assert other.get(f"/invoices/batch-pdf/{'x' * 40}").status_code == 404


def test_old_jobs_are_deleted_when_a_new_one_starts(app, client, login_as, monkeypatch):
    user_id, _ = login_as("finance")
    old = add_job(app, user_id, [1], state="done",
                  created_at=utcnow() - timedelta(seconds=batch.MAX_AGE_SECONDS + 60))
    monkeypatch.setattr(batch, "launch", lambda _app, _job_id: True)
    with app.app_context():
        new = batch.start(app, [1, 2], user_id)
        assert db.session.get(PdfBatchJob, old) is None
        assert db.session.get(PdfBatchJob, new).state == "queued"
