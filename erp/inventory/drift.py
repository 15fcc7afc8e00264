"""stock-check: rebuild every balance, and the stock per day, from the ledger and compare.

The ledger is the truth: on hand in an internal location is what moved in minus what moved
out. A difference means something wrote a balance outside `book_move` (or a bug did); it is
reported, and repaired only when asked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, delete, func, insert, literal, select, union_all, update

from erp.inventory.models import Location, StockBalance, StockByDay, StockMove
from erp.inventory.services import ZERO
from shared.dates import company_zone
from shared.db import transactional
from shared.extensions import db
from shared.upsert import insert_ignore

QTY_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class Drift:
    product_id: int
    location_id: int
    balance: Decimal  # on hand in the balance table
    ledger: Decimal  # on hand rebuilt from the moves

    def __str__(self) -> str:
        return (f"product {self.product_id} at location {self.location_id}: balance "
                f"{self.balance}, ledger {self.ledger}")


def ledger_on_hand() -> dict[tuple[int, int], Decimal]:
    """On hand per (product, internal location) summed from the whole ledger."""
    internal = select(Location.id).where(Location.kind == "internal")
    incoming = select(StockMove.product_id, StockMove.to_location_id.label("location_id"),
                      StockMove.quantity.label("qty")) \
        .where(StockMove.to_location_id.in_(internal))
    outgoing = select(StockMove.product_id, StockMove.from_location_id.label("location_id"),
                      (literal(0) - StockMove.quantity).label("qty")) \
        .where(StockMove.from_location_id.in_(internal))
    entries = union_all(incoming, outgoing).subquery()
    rows = db.session.execute(select(entries.c.product_id, entries.c.location_id,
                                     func.sum(entries.c.qty))
                              .group_by(entries.c.product_id, entries.c.location_id))
    return {(pid, lid): Decimal(total).quantize(ZERO) for pid, lid, total in rows}


def find_drift() -> list[Drift]:
    ledger = ledger_on_hand()
    balances = {(b.product_id, b.location_id): b.on_hand
                for b in db.session.scalars(select(StockBalance))}
    drift = [Drift(pid, lid, balances.get((pid, lid), ZERO), ledger.get((pid, lid), ZERO))
             for pid, lid in sorted(set(ledger) | set(balances))
             if balances.get((pid, lid), ZERO) != ledger.get((pid, lid), ZERO)]
    return drift


@transactional
def repair_drift() -> list[Drift]:
    """Set every drifted balance's on hand to the ledger's figure; returns what changed."""
    drift = find_drift()
    table = StockBalance.__table__
    for item in drift:
        db.session.execute(insert_ignore(
            StockBalance, {"product_id": item.product_id, "location_id": item.location_id,
                           "on_hand": ZERO, "reserved": ZERO}, ["product_id", "location_id"]))
        db.session.execute(update(table).where(
            table.c.product_id == item.product_id, table.c.location_id == item.location_id)
            .values(on_hand=item.ledger,
                    reserved=case((table.c.reserved > item.ledger, item.ledger),
                                  else_=table.c.reserved)))
    return drift


# --------------------------------------------------------------------------- stock per day


@dataclass(frozen=True)
class DayDrift:
    product_id: int
    day: date
    stored: Decimal  # net in stock_by_day
    ledger: Decimal  # net of the day's moves

    def __str__(self) -> str:
        return (f"product {self.product_id} on {self.day}: stock_by_day {self.stored}, "
                f"moves {self.ledger}")


def ledger_by_day() -> dict[tuple[int, date], Decimal]:
    """{(product, company day): net change of the internal stock} from every move that
    crosses the warehouse's edge. The day is the move's time in the company's time zone,
    worked out here (one pass over the moves, streamed): no SQL date function is the same
    on both databases."""
    internal = set(db.session.scalars(select(Location.id).where(Location.kind == "internal")))
    zone = company_zone()
    stmt = select(StockMove.product_id, StockMove.created_at, StockMove.from_location_id,
                  StockMove.to_location_id, StockMove.quantity)
    days: dict[tuple[int, date], Decimal] = {}
    for product_id, moment, source, target, quantity in \
            db.session.execute(stmt.execution_options(yield_per=10_000)):
        into, out = target in internal, source in internal
        if into != out:
            key = (product_id, moment.astimezone(zone).date())
            days[key] = days.get(key, ZERO) + (quantity if into else -quantity)
    return days


def find_day_drift() -> list[DayDrift]:
    ledger = ledger_by_day()
    stored = {(row.product_id, row.day): row.net for row in db.session.scalars(
        select(StockByDay))}
    return [DayDrift(pid, day, stored.get((pid, day), ZERO), ledger.get((pid, day), ZERO))
            for pid, day in sorted(set(ledger) | set(stored))
            if Decimal(stored.get((pid, day), ZERO)).quantize(QTY_PLACES)
            != Decimal(ledger.get((pid, day), ZERO)).quantize(QTY_PLACES)]


@transactional
def rebuild_days() -> list[DayDrift]:
    """Replace stock_by_day with the moves' figures; returns the drift found before."""
    drift = find_day_drift()
    if drift:
        db.session.execute(delete(StockByDay))
        rows = [{"product_id": pid, "day": day, "net": net}
                for (pid, day), net in ledger_by_day().items()]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(StockByDay), rows[start:start + 10_000])
    return drift
