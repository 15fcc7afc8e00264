"""flask stock-check [--repair]: compare every table kept beside a ledger with that ledger.

The areas register what they keep (`registry.add_drift_check`): inventory its stock
balances (the moves are the ledger), invoicing its sales and cash summaries (the invoices and
payments are). A difference means something wrote the table outside the service that keeps
it, or a bulk load did not; it is reported, and repaired only when asked.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from shared.extensions import db
from shared.registry import current_registry


def find_all_drift() -> list[tuple[str, object]]:
    """(check name, difference) for every registered check; reads only."""
    found = [(check.name, item) for check in current_registry().drift_checks
             for item in check.find()]
    db.session.rollback()
    return found


def repair_all_drift() -> list[tuple[str, object]]:
    return [(check.name, item) for check in current_registry().drift_checks
            for item in check.repair()]


@click.command("stock-check")
@click.option("--repair", is_flag=True,
              help="Set drifted balances and summaries to their ledger's figures.")
@with_appcontext
def stock_check_command(repair: bool) -> None:
    """Rebuild every stock balance from the move ledger, and every sales and cash summary
    from the invoices and payments, and report the differences."""
    drift = repair_all_drift() if repair else find_all_drift()
    if not drift:
        names = ", ".join(check.name for check in current_registry().drift_checks)
        click.echo(f"No drift: every balance and summary equals its ledger ({names}).")
        return
    for name, item in drift:
        click.echo(f"DRIFT {name}: {item}")
    if repair:
        click.echo(f"Repaired {len(drift)} row(s) from their ledgers.")
        return
    click.echo(f"{len(drift)} row(s) differ from their ledgers; run with --repair to fix.")
    raise SystemExit(1)
