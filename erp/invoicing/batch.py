"""Batch PDF downloads as background jobs, so the page can show how far the rendering is.

A job renders in a thread of the web process (the layout itself runs in the PDF process pool,
on every core) and keeps its ZIP in memory until downloaded or an hour old. Jobs live in the
process that started them: behind several web workers, sticky sessions or the synchronous
download (the batch form without JavaScript) are needed.
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from flask import Flask

from erp.invoicing import pdf

MAX_AGE_SECONDS = 3600


@dataclass
class BatchJob:
    user_id: int
    total: int
    done: int = 0
    content: bytes | None = None
    failed: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> bool:
        return self.content is not None or self.failed

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 100


_jobs: dict[str, BatchJob] = {}
_lock = threading.Lock()


def _forget_old_jobs() -> None:
    now = time.monotonic()
    with _lock:
        for job_id in [k for k, job in _jobs.items() if now - job.started > MAX_AGE_SECONDS]:
            del _jobs[job_id]


def start(app: Flask, invoice_ids: list[int], user_id: int) -> str:
    _forget_old_jobs()
    job_id = uuid.uuid4().hex
    job = BatchJob(user_id=user_id, total=len(invoice_ids))
    with _lock:
        _jobs[job_id] = job

    def progress(done: int, _total: int) -> None:
        job.done = done

    def run() -> None:
        with app.app_context():
            try:
                job.content = pdf.batch_zip(invoice_ids, progress)
            except Exception:
                app.logger.exception("batch PDF job %s failed", job_id)
                job.failed = True

    threading.Thread(target=run, name=f"pdf-batch-{job_id[:8]}", daemon=True).start()
    return job_id


def get(job_id: str, user_id: int) -> BatchJob | None:
    """The user's own job (another user's job id finds nothing)."""
    job = _jobs.get(job_id)
    return job if job is not None and job.user_id == user_id else None
