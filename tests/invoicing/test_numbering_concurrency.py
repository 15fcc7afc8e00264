"""Gapless numbers under real concurrency: several processes, each with its own application
and connections to the same database, post invoices at once; some of their transactions roll
back after taking a number. Numbers stay unique and contiguous, and an invoice posted by
several processes at once is posted once."""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import select

from erp.invoicing import services
from erp.invoicing.models import Invoice
from shared.db import transactional
from shared.errors import InvalidState
from shared.extensions import db
from tests.conftest import today

pytestmark = pytest.mark.slow
PROCESSES = 4


class ForcedRollback(Exception):
    pass


@transactional
def post_then_roll_back(invoice_id: int) -> None:
    services.post_invoice(invoice_id)  # joins this transaction: the number is taken ...
    raise ForcedRollback  # ... and given back by the rollback


def _worker(database_url: str, invoice_ids: list[int], fail_every: int, barrier, results):
    from app import create_app
    from config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    outcome = []
    with app.app_context():
        barrier.wait(timeout=60)
        for n, invoice_id in enumerate(invoice_ids):
            try:
                if fail_every and n % fail_every == fail_every - 1:
                    post_then_roll_back(invoice_id)
                else:
                    services.post_invoice(invoice_id)
                    outcome.append((invoice_id, "posted"))
            except ForcedRollback:
                outcome.append((invoice_id, "rolled_back"))
            except InvalidState:
                outcome.append((invoice_id, "invalid_state"))
        db.engine.dispose()
    results.put(outcome)


def _run(database_url: str, batches: list[list[int]], fail_every: int) -> list[tuple[int, str]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(batches))
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(database_url, batch, fail_every, barrier,
                                                     results)) for batch in batches]
    for worker in workers:
        worker.start()
    outcomes = [item for _ in workers for item in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return outcomes


def _drafts(count: int) -> list[int]:
    from shared.partners.services import create_partner

    partner = create_partner({"name": "Concurrent Co"})
    return [services.create_invoice({"partner_id": partner.id, "lines": [
        {"description": "x", "quantity": "1", "unit_price": "10", "tax_rate": "13"}]}).id
        for _ in range(count)]


def _numbers() -> list[str]:
    return list(db.session.scalars(select(Invoice.number).where(Invoice.number.is_not(None))
                                   .order_by(Invoice.number)))


def test_numbers_are_unique_and_contiguous_across_processes(ctx, database_url):
    ids = _drafts(24)
    db.session.commit()
    outcomes = _run(database_url, [ids[i::PROCESSES] for i in range(PROCESSES)], fail_every=3)
    posted = [i for i, what in outcomes if what == "posted"]
    assert len(posted) == 16 and sum(what == "rolled_back" for _, what in outcomes) == 8
    db.session.expire_all()
    year = today().year
    assert _numbers() == [f"INV/{year}/{n:05d}" for n in range(1, 17)]
    rolled_back = {i for i, what in outcomes if what == "rolled_back"}
    states = dict(db.session.execute(select(Invoice.id, Invoice.state)).all())
    assert {states[i] for i in rolled_back} == {"draft"}
    # the numbers given back are taken next, still without a gap
    for invoice_id in sorted(rolled_back):
        services.post_invoice(invoice_id)
    assert _numbers() == [f"INV/{year}/{n:05d}" for n in range(1, 25)]


def test_the_same_invoice_posted_at_once_by_several_processes_is_posted_once(ctx,
                                                                             database_url):
    invoice_id, spare_id = _drafts(2)
    db.session.commit()
    outcomes = _run(database_url, [[invoice_id]] * PROCESSES, fail_every=0)
    assert sorted(what for _, what in outcomes) == ["invalid_state"] * (PROCESSES - 1) + \
        ["posted"]
    db.session.expire_all()
    assert _numbers() == [f"INV/{today().year}/00001"]
    assert services.post_invoice(spare_id).number == f"INV/{today().year}/00002"
