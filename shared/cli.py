"""The command line of API.md: init-db, create-user, seed-demo, seed-scale, backup, restore,
stock-check."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from shared import scale
from shared.backup import backup_command, restore_command
from shared.db import transactional
from shared.drift import stock_check_command
from shared.errors import DomainError
from shared.reference import load_reference_data
from shared.registry import current_registry
from shared.users import services as user_services
from shared.users.models import ROLES


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the schema and load reference data (idempotent)."""
    upgrade()
    load_reference_data()
    click.echo("Database is at the latest schema; reference data loaded.")


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", "roles", multiple=True, required=True,
              help=f"One of {', '.join(ROLES)}; repeat for several.")
@click.option("--name", default=None)
@with_appcontext
def create_user_command(email: str, password: str, roles: tuple[str, ...],
                        name: str | None) -> None:
    """Add a user with one or more roles."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise click.UsageError(f"Unknown role {', '.join(unknown)}; "
                               f"choose from {', '.join(ROLES)}.")
    try:
        user = user_services.create_user({"email": email, "password": password,
                                          "roles": list(roles), "name": name})
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    click.echo(f"Created user {user.email} with roles {', '.join(user.roles)}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill an empty database with a demo company (English and Chinese names)."""
    from shared.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

    load_reference_data()
    if not seed_demo():
        click.echo("The database already has data; nothing was seeded.")
        return
    click.echo("Demo data loaded. Sign in with any of these (password "
               f"{DEMO_PASSWORD}):")
    for email, _name, roles in DEMO_USERS:
        click.echo(f"  {email:<24} {', '.join(roles)}")


def _parse_ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        ids = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("a comma-separated list of product ids, e.g. 1,2,3") from None
    if not ids or min(ids) < 1:
        raise click.BadParameter("a comma-separated list of product ids, e.g. 1,2,3")
    return ids


@click.command("seed-scale")
@click.option("--partners", default=0, type=click.IntRange(min=0))
@click.option("--products", default=0, type=click.IntRange(min=0))
@click.option("--leads", default=0, type=click.IntRange(min=0))
@click.option("--invoices", default=0, type=click.IntRange(min=0))
@click.option("--moves", default=0, type=click.IntRange(min=0))
@click.option("--tickets", default=0, type=click.IntRange(min=0),
              help="Service tickets, with about ten comments each.")
@click.option("--purchase-orders", default=0, type=click.IntRange(min=0),
              help="Open purchase orders (confirmed, some partly received).")
@click.option("--product-ids", default=None, help="Spread --moves over these products.")
@click.option("--seed", default=1, type=int, help="The same seed gives the same data.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@with_appcontext
def seed_scale_command(product_ids: str | None, seed: int, quiet: bool,
                       **counts: int) -> None:
    """Bulk-generate a large, consistent data set for benchmarks."""
    import random

    ids = _parse_ids(product_ids)
    generators = current_registry().scale_generators
    missing = [name for name in scale.SCALE_OPTIONS
               if counts.get(name) and name not in generators]
    if missing:
        raise click.UsageError(f"No generator for --{', --'.join(missing)} in this build.")
    load_reference_data()
    context = scale.ScaleContext(rng=random.Random(seed), quiet=quiet, product_ids=ids)
    for name in scale.SCALE_OPTIONS:
        if counts.get(name):
            transactional(generators[name])(counts[name], context)
            click.echo(f"{name}: {counts[name]} added")
    _refresh_statistics()


def _refresh_statistics() -> None:
    """After a bulk load PostgreSQL's planner still believes the tables are nearly empty
    (autovacuum catches up later): ANALYZE now, so the first queries get the plans they
    will have in production."""
    from sqlalchemy import text

    from shared.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


COMMANDS = (init_db_command, create_user_command, seed_demo_command, seed_scale_command,
            backup_command, restore_command, stock_check_command)
