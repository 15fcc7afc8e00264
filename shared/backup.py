"""flask backup PATH / flask restore PATH: one archive of the whole database, written while
the application runs, and loaded again into an empty database.

The stored files (posted invoices' PDFs, the company logo) live in the database
(`invoice_pdfs.content`, `company.logo`), so the database copy carries them; the manifest
keeps a SHA-256 of every stored file, and `restore` checks each one, with the row count of
every table: an SQLite copy before it replaces anything, a PostgreSQL load inside its
transaction (and both once more afterwards).

The archive is a gzipped tar of two members:
- `manifest.json`: format and version, the dialect, the Alembic revision, when it was
  written, the row count of every table and the SHA-256 of every stored file;
- the database: `database.sqlite3` (SQLite's online backup API copies one consistent
  snapshot while others write) or `database.pgdump` (`pg_dump --format=custom` inside the
  snapshot the manifest's counts were taken in, so the two agree).

`restore` refuses a database that holds data (a user, partner or product), an archive of
the other dialect or of a schema revision this code does not know, and anything that is not
such an archive; in each case nothing is changed. A database with the schema (and the
reference data of `init-db`) but no business data counts as empty: restore replaces it.
PostgreSQL restores in one transaction (psql --single-transaction), so a failure or a
mismatch leaves the target as it was.

Lead-import uploads under instance/lead-imports are working files of an import in progress,
not records; they are not archived.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, LargeBinary, create_engine, exc, func, inspect, select, text
from sqlalchemy.engine import URL, Engine

from shared.extensions import db

FORMAT = "westlake-erp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DIALECT_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# A database holds data when one of these has a row: every business record hangs on them
# (init-db's reference data has none).
DATA_TABLES = ("users", "partners", "products")


class BackupError(click.ClickException):
    """A refusal or failure, printed as one message with exit status 1."""


# --------------------------------------------------------------------------- the manifest

def _row_counts(conn: Connection) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    if not names:
        return {}
    # One statement for all tables: on PostgreSQL every count sees the same snapshot anyway.
    selects = [f'(SELECT count(*) FROM "{name}") AS c{i}' for i, name in enumerate(names)]
    row = conn.execute(text("SELECT " + ", ".join(selects))).one()
    return {name: int(row[i]) for i, name in enumerate(names)}


def _blob_columns(conn: Connection) -> list[tuple[Any, Any]]:
    """(table, column) of every stored file column the models declare and the database has."""
    present = set(inspect(conn).get_table_names())
    return [(table, column) for table in db.metadata.sorted_tables if table.name in present
            for column in table.columns if isinstance(column.type, LargeBinary)]


def _stored_files(conn: Connection) -> dict[str, str]:
    """{"table/column/primary key": SHA-256} of every stored file (PDFs, the logo)."""
    hashes: dict[str, str] = {}
    postgres = conn.dialect.name == "postgresql"
    for table, column in _blob_columns(conn):
        keys = list(table.primary_key.columns)
        digest = func.encode(func.sha256(column), "hex") if postgres else column
        rows = conn.execute(select(*keys, digest).where(column.is_not(None)).order_by(*keys))
        for row in rows:
            key = ",".join(str(value) for value in row[:-1])
            value = row[-1] if postgres else hashlib.sha256(row[-1]).hexdigest()
            hashes[f"{table.name}/{column.name}/{key}"] = value
    return hashes


def _revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _manifest(conn: Connection, dialect: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "dialect": dialect,
        "revision": _revision(conn),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": MEMBERS[dialect],
        "tables": _row_counts(conn),
        "stored_files": _stored_files(conn),
    }


# --------------------------------------------------------------------------- helpers

def _dialect(url: URL) -> str:
    name = url.get_backend_name()
    if name not in MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        raise BackupError("Backups need a database file, not an in-memory SQLite database.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """The SQLAlchemy URL (postgresql+psycopg://...) as libpq options for pg_dump, pg_restore
    and psql; the password goes through the environment, never the command line."""
    env = dict(os.environ)
    # No NOTICE per cascaded drop in the messages.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c client_min_messages=warning".strip()
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]

    def quoted(value: Any) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    conninfo = " ".join(f"{key}={quoted(value)}" for key, value in parts.items()
                        if value not in (None, ""))
    return ["--dbname", conninfo], env


def _run(command: list[str], env: dict[str, str], note: str = "", **kwargs: Any) -> None:
    try:
        result = subprocess.run(command, env=env, stderr=subprocess.PIPE, check=False,
                                **kwargs)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} was not found: install the postgresql-client package "
                          "of the server's major version (or newer).") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{command[0]} failed: {message}\n{note}".strip())


def _write_archive(target: Path, manifest: dict[str, Any], database: Path) -> None:
    """The tar.gz written next to `target` and renamed over it once complete, so a reader
    (or a crash) never sees half an archive under the final name; only its owner may read
    it (it holds password hashes and API token hashes)."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "wb") as raw, \
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as zipped, \
                tarfile.open(fileobj=zipped, mode="w") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(str(database), arcname=manifest["database"], recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _archive_path(path: Path, folder: bool) -> Path:
    if folder and not path.is_dir():
        raise BackupError(f"The folder {path} does not exist.")
    if path.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return path / f"westlake-backup-{stamp}.tar.gz"
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    return path


# --------------------------------------------------------------------------- backup

def _backup_sqlite(url: URL, workdir: Path) -> tuple[dict[str, Any], Path]:
    source = _sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    copy = workdir / MEMBERS["sqlite"]
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        # One step: the copy is one snapshot, however many writers there are meanwhile.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    engine = create_engine(URL.create("sqlite", database=str(copy)))
    try:
        with engine.connect() as conn:
            manifest = _manifest(conn, "sqlite")
    finally:
        engine.dispose()
    return manifest, copy


def _backup_postgresql(engine: Engine, url: URL, workdir: Path) -> tuple[dict[str, Any], Path]:
    dump = workdir / MEMBERS["postgresql"]
    options, env = _libpq(url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # The manifest is read in the snapshot pg_dump then dumps: counts and hashes are
            # those of the dump, whatever is written meanwhile.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            manifest = _manifest(conn, "postgresql")
            _run(["pg_dump", *options, "--format=custom", "--compress=0",
                  f"--snapshot={snapshot}", "--file", str(dump)], env)
    return manifest, dump


def write_backup(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """Write the archive of the configured database to `path` (a file, or a folder to put a
    time-stamped archive in); return where it went and its manifest."""
    url = db.engine.url  # Flask-SQLAlchemy's: a relative SQLite path resolved
    dialect = _dialect(url)
    target = _archive_path(Path(path), str(path).endswith(("/", os.sep)))
    with tempfile.TemporaryDirectory(prefix="westlake-backup-") as tmp:
        if dialect == "sqlite":
            manifest, database = _backup_sqlite(url, Path(tmp))
        else:
            manifest, database = _backup_postgresql(db.engine, url, Path(tmp))
        _write_archive(target, manifest, database)
    return target, manifest


# --------------------------------------------------------------------------- restore

@contextmanager
def _opened_archive(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """(manifest, database file extracted to a temporary folder); a BackupError for anything
    that is not an archive `backup` wrote."""
    not_archive = f"{path} is not a Westlake ERP backup archive."
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    with tempfile.TemporaryDirectory(prefix="westlake-restore-") as tmp:
        try:
            with tarfile.open(path, "r:*") as tar:
                manifest = json.load(_member(tar, MANIFEST))
                if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                    raise BackupError(not_archive)
                if manifest.get("version") != FORMAT_VERSION:
                    raise BackupError(f"{path} is a backup of format version "
                                      f"{manifest.get('version')}; this version reads "
                                      f"{FORMAT_VERSION}.")
                dialect = manifest.get("dialect")
                if dialect not in MEMBERS or manifest.get("database") != MEMBERS[dialect] \
                        or not isinstance(manifest.get("tables"), dict) \
                        or not isinstance(manifest.get("stored_files"), dict):
                    raise BackupError(not_archive)
                database = Path(tmp) / MEMBERS[dialect]
                with open(database, "wb") as out:
                    shutil.copyfileobj(_member(tar, MEMBERS[dialect]), out)
        except (tarfile.TarError, OSError, EOFError, ValueError, KeyError):
            raise BackupError(not_archive) from None
        yield manifest, database


def _member(tar: tarfile.TarFile, name: str) -> io.BufferedReader:
    member = tar.getmember(name)  # KeyError when missing
    extracted = tar.extractfile(member) if member.isfile() else None
    if extracted is None:
        raise KeyError(name)
    return extracted


def _known_revisions() -> tuple[set[str], str | None]:
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    script = ScriptDirectory(directory)
    return {rev.revision for rev in script.walk_revisions()}, script.get_current_head()


def _data_counts(engine: Engine) -> dict[str, int]:
    """Rows in the tables that make a database non-empty (users, partners, products)."""
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in DATA_TABLES if name in present}


def _restore_sqlite(url: URL, database: Path) -> None:
    target = _sqlite_file(url)
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    src = sqlite3.connect(database)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # The backup API replaces the target's pages in one transaction.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_sql(manifest: dict[str, Any]) -> str:
    """A DO block that fails the restore transaction unless every table has the manifest's
    row count and every stored file its SHA-256 (compared per column as one MD5 over the
    sorted "key=sha256" list)."""
    lines = ["DO $check$", "DECLARE n bigint; d text;", "BEGIN"]
    for name, count in sorted(manifest["tables"].items()):
        lines += [f"  SELECT count(*) INTO n FROM public.{_quoted(name)};",
                  f"  IF n <> {int(count)} THEN RAISE EXCEPTION 'restore check: table "
                  f"{_quoted(name)} has % rows, the archive {int(count)}', n; END IF;"]
    for table, column in [(t, c) for t in db.metadata.sorted_tables
                          if t.name in manifest["tables"]
                          for c in t.columns if isinstance(c.type, LargeBinary)]:
        prefix = f"{table.name}/{column.name}/"
        entries = sorted(f"{key[len(prefix):]}={digest}"
                         for key, digest in manifest["stored_files"].items()
                         if key.startswith(prefix))
        expected = hashlib.md5(",".join(entries).encode(), usedforsecurity=False).hexdigest()
        keys = ", ".join(f"{_quoted(c.name)}::text" for c in table.primary_key.columns)
        lines += [f"  SELECT md5(coalesce(string_agg(k || '=' || h, ',' ORDER BY k COLLATE "
                  f"\"C\"), '')) INTO d FROM (SELECT concat_ws(',', {keys}) AS k, "
                  f"encode(sha256({_quoted(column.name)}), 'hex') AS h "
                  f"FROM public.{_quoted(table.name)} "
                  f"WHERE {_quoted(column.name)} IS NOT NULL) AS files;",
                  f"  IF d <> '{expected}' THEN RAISE EXCEPTION 'restore check: the stored "
                  f"files of {table.name}.{column.name} differ from the archive'; END IF;"]
    lines += ["END $check$;", ""]
    return "\n".join(lines)


def _restore_postgresql(engine: Engine, url: URL, database: Path,
                        manifest: dict[str, Any]) -> None:
    options, env = _libpq(url)
    # The tables of an empty schema (flask db upgrade, init-db's reference data) are dropped
    # first, and the restored rows and files checked last, in the one transaction of the load
    # (psql --single-transaction): the target gets the whole archive or stays as it was.
    # pg_restore writes its SQL to a file first, so a dump it cannot read never reaches psql.
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    workdir = database.parent
    prelude, script, check = (workdir / "prelude.sql", workdir / "restore.sql",
                              workdir / "check.sql")
    prelude.write_text("".join(f"DROP TABLE IF EXISTS public.{_quoted(name)} CASCADE;\n"
                               for name in tables))
    check.write_text(_check_sql(manifest))
    _run(["pg_restore", "--no-owner", "--no-privileges", "--no-comments",
          "--file", str(script), str(database)], env, "Nothing was changed.")
    _run(["psql", "-X", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1",
          *options, "--file", str(prelude), "--file", str(script), "--file", str(check)],
         env, "Nothing was changed.", stdout=subprocess.DEVNULL)


def _differences(engine: Engine, manifest: dict[str, Any]) -> list[str]:
    """How the database of `engine` differs from the manifest: row counts, stored files."""
    with engine.connect() as conn:
        counts = _row_counts(conn)
        files = _stored_files(conn)
    wrong = [f"{name}: {counts.get(name)} rows, the manifest says {count}"
             for name, count in manifest["tables"].items() if counts.get(name) != count]
    wrong += [f"stored file {key} differs"
              for key, digest in manifest["stored_files"].items() if files.get(key) != digest]
    return wrong


def _check_sqlite_copy(path: Path, database: Path, manifest: dict[str, Any]) -> None:
    """The archived SQLite file is sound and matches its manifest, before anything is
    replaced."""
    engine = create_engine(URL.create("sqlite", database=str(database)))
    try:
        with engine.connect() as conn:
            sound = conn.execute(text("PRAGMA quick_check")).scalar() == "ok"
        wrong = _differences(engine, manifest) if sound else ["it fails SQLite's quick_check"]
    except exc.DatabaseError:
        wrong = ["it is not an SQLite database"]
    finally:
        engine.dispose()
    if wrong:
        raise BackupError(f"The database in {path} is damaged ({'; '.join(wrong[:5])}); "
                          "nothing was changed.")


def restore_backup(path: Path) -> dict[str, Any]:
    """Load the archive at `path` into the configured, empty database; return its manifest."""
    url = db.engine.url  # Flask-SQLAlchemy's: a relative SQLite path resolved
    dialect = _dialect(url)
    engine = db.engine
    with _opened_archive(path) as (manifest, database):
        if manifest["dialect"] != dialect:
            raise BackupError(
                f"{path} holds a {DIALECT_NAMES[manifest['dialect']]} database; the configured "
                f"database is {DIALECT_NAMES[dialect]}. Restore it with DATABASE_URL naming a "
                f"{DIALECT_NAMES[manifest['dialect']]} database.")
        known, _head = _known_revisions()
        if manifest["revision"] is not None and manifest["revision"] not in known:
            raise BackupError(f"{path} was written at schema revision {manifest['revision']}, "
                              "which this version of the application does not know; restore "
                              "it with the version that wrote it (or a newer one).")
        if dialect == "sqlite":
            _sqlite_file(url)
        held = {name: count for name, count in _data_counts(engine).items() if count}
        if held:
            rows = ", ".join(f"{count} {name}" for name, count in held.items())
            raise BackupError(
                f"The database {url.render_as_string(hide_password=True)} holds data ({rows}); "
                "restore only into an empty database. Nothing was changed.")
        engine.dispose()  # no pooled connection holds the old schema
        if dialect == "sqlite":
            _check_sqlite_copy(path, database, manifest)
            _restore_sqlite(url, database)
        else:
            _restore_postgresql(engine, url, database, manifest)
        engine.dispose()
    wrong = _differences(engine, manifest)
    if wrong:
        raise BackupError("The restored database differs from the archive's manifest: "
                          + "; ".join(wrong[:10]))
    return manifest


# --------------------------------------------------------------------------- commands

@click.command("backup")
@click.argument("path", type=click.Path())
@with_appcontext
def backup_command(path: str) -> None:
    """Write one consistent archive of the database and its stored files (invoice PDFs,
    logo) to PATH (a file, or a folder for a time-stamped one) while the application runs."""
    target, manifest = write_backup(path)
    rows = sum(manifest["tables"].values())
    click.echo(f"Backup written to {target}: {len(manifest['tables'])} tables, {rows} rows, "
               f"{len(manifest['stored_files'])} stored files "
               f"(schema revision {manifest['revision']}).")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Load an archive written by `backup` into the configured database, which must be empty
    (no users, partners or products); checks every table's row count and stored file."""
    manifest = restore_backup(path)
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored {path} (written {manifest['created_at']}): "
               f"{len(manifest['tables'])} tables, {rows} rows, "
               f"{len(manifest['stored_files'])} stored files checked byte for byte.")
    _known, head = _known_revisions()
    if manifest["revision"] != head:
        click.echo(f"The archive's schema is revision {manifest['revision']}; run "
                   f"`flask --app app init-db` to upgrade it to {head}.")
