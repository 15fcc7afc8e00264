"""Batch PDF downloads as background jobs, so the page can show how far the rendering is.

A job is a `pdf_batch_jobs` row, so any web worker (or server) answers its progress polls and
its download, whichever worker started it. The worker that starts a job claims it and renders
it in a thread (the layout itself runs in the PDF process pool, on every core); the thread
writes the number done and a heartbeat in small transactions of their own (a heartbeat at
least every HEARTBEAT_SECONDS while it runs) and finally the ZIP, in the row.

A job survives the worker that started it: when a progress poll finds its job `running` with
a heartbeat older than STALE_SECONDS (that worker died or hung), or still `queued` (it died
before starting), the polling worker claims it with one conditional UPDATE (only one claimant
wins) and renders it again from the start (posted invoices' PDFs are stored, so those come
back at once). Each claim gets a new runner id and only the current runner's writes count,
so a late write of a presumed-dead runner changes nothing. After MAX_ATTEMPTS claims the job
is marked failed instead of being retried for ever. Jobs older than MAX_AGE_SECONDS are
deleted when a new one starts.
"""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from flask import Flask
from sqlalchemy import and_, delete, or_, select, update

from erp.invoicing import pdf
from erp.invoicing.models import PdfBatchJob
from shared.db import transactional, utcnow
from shared.extensions import db

MAX_AGE_SECONDS = 3600
STALE_SECONDS = 60
HEARTBEAT_SECONDS = 15
MAX_ATTEMPTS = 3


@transactional
def _create(invoice_ids: list[int], user_id: int) -> str:
    now = utcnow()
    db.session.execute(delete(PdfBatchJob).where(
        PdfBatchJob.created_at < now - timedelta(seconds=MAX_AGE_SECONDS)))
    ids = list(dict.fromkeys(invoice_ids))
    job = PdfBatchJob(id=uuid.uuid4().hex, user_id=user_id, total=len(ids), done=0,
                      invoice_ids=",".join(str(i) for i in ids), state="queued", created_at=now)
    db.session.add(job)
    return job.id


def start(app: Flask, invoice_ids: list[int], user_id: int) -> str:
    """A new job for the user's invoices, rendering from now on in this worker."""
    job_id = _create(invoice_ids, user_id)
    launch(app, job_id)
    return job_id


def _orphaned(now):
    """The condition of a job that nobody renders: queued, or running without a heartbeat."""
    return or_(PdfBatchJob.state == "queued",
               and_(PdfBatchJob.state == "running",
                    or_(PdfBatchJob.heartbeat_at.is_(None),
                        PdfBatchJob.heartbeat_at < now - timedelta(seconds=STALE_SECONDS))))


@transactional
def _claim(job_id: str, runner: str) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(PdfBatchJob)
        .where(PdfBatchJob.id == job_id, _orphaned(now), PdfBatchJob.attempts < MAX_ATTEMPTS)
        .values(state="running", runner=runner, heartbeat_at=now, done=0,
                attempts=PdfBatchJob.attempts + 1)).rowcount
    if not claimed:  # one that failed every attempt stops here
        db.session.execute(update(PdfBatchJob).where(
            PdfBatchJob.id == job_id, _orphaned(now), PdfBatchJob.attempts >= MAX_ATTEMPTS)
            .values(state="failed", runner=None))
    return claimed == 1


def launch(app: Flask, job_id: str) -> bool:
    """Claim the job if nobody renders it, and render it in a thread of this worker."""
    runner = uuid.uuid4().hex
    if not _claim(job_id, runner):
        return False
    threading.Thread(target=_run, args=(app, job_id, runner), name=f"pdf-batch-{job_id[:8]}",
                     daemon=True).start()
    return True


@transactional
def _beat(job_id: str, runner: str, done: int | None = None) -> bool:
    values: dict = {"heartbeat_at": utcnow()}
    if done is not None:
        values["done"] = done
    return db.session.execute(update(PdfBatchJob).where(
        PdfBatchJob.id == job_id, PdfBatchJob.runner == runner,
        PdfBatchJob.state == "running").values(**values)).rowcount == 1


@transactional
def _finish(job_id: str, runner: str, content: bytes | None) -> None:
    db.session.execute(update(PdfBatchJob).where(
        PdfBatchJob.id == job_id, PdfBatchJob.runner == runner,
        PdfBatchJob.state == "running").values(
            state="done" if content is not None else "failed", content=content,
            done=PdfBatchJob.total if content is not None else PdfBatchJob.done,
            heartbeat_at=utcnow()))


def _heartbeat(app: Flask, job_id: str, runner: str, stop: threading.Event) -> None:
    with app.app_context():
        while not stop.wait(HEARTBEAT_SECONDS):
            if not _beat(job_id, runner):
                return


def _run(app: Flask, job_id: str, runner: str) -> None:
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(app, job_id, runner, stop), daemon=True,
                     name=f"pdf-beat-{job_id[:8]}").start()
    with app.app_context():
        try:
            ids = db.session.scalar(select(PdfBatchJob.invoice_ids).where(
                PdfBatchJob.id == job_id)) or ""
            content = pdf.batch_zip([int(v) for v in ids.split(",") if v],
                                    lambda done, _total: _beat(job_id, runner, done))
        except Exception:
            app.logger.exception("batch PDF job %s failed", job_id)
            content = None
        finally:
            stop.set()
        _finish(job_id, runner, content)


def get(job_id: str, user_id: int) -> PdfBatchJob | None:
    """The user's own job, without its ZIP (another user's job id finds nothing)."""
    if len(job_id) > 32:
        return None
    return db.session.scalar(select(PdfBatchJob).where(
        PdfBatchJob.id == job_id, PdfBatchJob.user_id == user_id))


def follow(app: Flask, job_id: str, user_id: int) -> PdfBatchJob | None:
    """The user's job for a progress poll; one whose worker is gone is taken over here."""
    job = get(job_id, user_id)
    if job is None or job.finished:
        return job
    heartbeat = job.heartbeat_at
    stale = job.state == "queued" or heartbeat is None or \
        heartbeat < utcnow() - timedelta(seconds=STALE_SECONDS)
    if stale:
        launch(app, job_id)
        job = get(job_id, user_id)
    return job


def content(job_id: str, user_id: int) -> bytes | None:
    """The finished ZIP of the user's job, or None."""
    if len(job_id) > 32:
        return None
    return db.session.scalar(select(PdfBatchJob.content).where(
        PdfBatchJob.id == job_id, PdfBatchJob.user_id == user_id, PdfBatchJob.state == "done"))
