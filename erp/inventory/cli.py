"""flask stock-check [--repair]: compare every balance with the ledger."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from erp.inventory.drift import find_drift, repair_drift


@click.command("stock-check")
@click.option("--repair", is_flag=True, help="Set drifted balances to the ledger's figures.")
@with_appcontext
def stock_check_command(repair: bool) -> None:
    """Rebuild every stock balance from the move ledger and report differences."""
    drift = repair_drift() if repair else find_drift()
    if not drift:
        click.echo("No drift: every balance equals the ledger.")
        return
    for item in drift:
        click.echo(f"DRIFT {item}")
    if repair:
        click.echo(f"Repaired {len(drift)} balance(s) from the ledger.")
        return
    click.echo(f"{len(drift)} balance(s) differ from the ledger; run with --repair to fix.")
    raise SystemExit(1)
