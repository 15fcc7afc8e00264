"""flask backup / flask restore (API.md): a busy database is backed up while another thread
keeps booking stock moves, restored into a second, empty database, and compared: row counts,
stock-check, invoice numbers, a stored PDF and the logo byte for byte. Restore refuses a
database that holds data, an archive of the other dialect and anything that is not an
archive, and changes nothing when it does. Runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import io
import json
import os
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app import create_app
from config import TestConfig
from erp.inventory import services as inventory
from erp.inventory.models import StockMove
from erp.invoicing.models import Invoice, InvoicePdf
from erp.invoicing.pdf import invoice_pdf
from shared.company.models import Company
from shared.company.services import set_logo
from shared.extensions import db
from shared.partners import services as partner_services
from shared.products.models import Product
from shared.users.models import User
from tests.conftest import _postgres_database, table_counts


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@contextmanager
def fresh_app(tmp_path: Path, name: str) -> Iterator[Flask]:
    """A second application on a new, empty database of the suite's kind."""
    base = os.environ.get("TEST_DATABASE_URL")
    urls = _postgres_database(base) if base and base.startswith("postgresql") else None
    url = next(urls) if urls else f"sqlite:///{tmp_path / f'{name}.sqlite3'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    application = create_app(Config)
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()
        if urls:
            urls.close()  # drops the database


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def _snapshot() -> dict:
    """What must survive a restore, read inside an application context."""
    return {
        "invoice_numbers": db.session.execute(
            select(Invoice.id, Invoice.number).order_by(Invoice.id)).all(),
        "pdfs": {row.invoice_id: row.content for row in db.session.execute(
            select(InvoicePdf.invoice_id, InvoicePdf.content))},
        "logo": db.session.scalar(select(Company.logo)),
    }


class MoveWriter(threading.Thread):
    """Books one stock move after another (each its own transaction) until stopped."""

    def __init__(self, app: Flask, product_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.product_id = app, product_id
        self.stop, self.booked, self.error = threading.Event(), 0, None
        self.progress = threading.Condition()

    def run(self) -> None:
        try:
            with self.app.app_context():
                source = inventory.location_by_code("Suppliers").id
                target = inventory.location_by_code("WH/Stock").id
                while not self.stop.is_set():
                    inventory.record_move({"product_id": self.product_id, "quantity": "1",
                                           "from_location_id": source,
                                           "to_location_id": target})
                    with self.progress:
                        self.booked += 1
                        self.progress.notify_all()
        except Exception as exc:  # reported by the test
            self.error = exc
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.booked >= count or self.error,
                                          timeout=60), "the writer stalled"
        assert self.error is None, self.error


@pytest.mark.slow  # seeds the demo company, renders a PDF, migrates a second database
def test_backup_of_a_busy_database_restores_identically(app, tmp_path):
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        set_logo(_logo())
        posted = db.session.scalars(select(Invoice.id).where(Invoice.number.is_not(None))
                                    .order_by(Invoice.id)).first()
        pdf, _name = invoice_pdf(posted)
        product_id = db.session.scalar(select(Product.id).where(Product.type == "stockable")
                                       .order_by(Product.id))
        moves_before = db.session.scalar(select(func.count()).select_from(StockMove))

    writer = MoveWriter(app, product_id)
    writer.start()
    try:
        writer.wait_for(3)
        archive = tmp_path / "erp.tar.gz"
        result = runner.invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
        during = writer.booked
        writer.wait_for(during + 3)  # still writing after the backup
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None, writer.error
    assert "Backup written to" in result.output

    manifest = _manifest(archive)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    # One snapshot: some of the writer's moves are in it, not all of them.
    assert moves_before + 3 <= manifest["tables"]["stock_moves"] < moves_before + writer.booked
    with app.app_context():
        assert manifest["dialect"] == db.engine.dialect.name
        source = _snapshot()
        assert source["pdfs"][posted] == pdf and source["logo"]
    assert len(manifest["stored_files"]) == len(source["pdfs"]) + 1

    with fresh_app(tmp_path, "restored") as target:
        target_runner = target.test_cli_runner()
        prepared = target_runner.invoke(args=["init-db"])  # schema and reference data
        assert prepared.exit_code == 0, prepared.output
        restored = target_runner.invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "checked byte for byte" in restored.output
        with target.app_context():
            counts = table_counts()
            assert counts == {name: manifest["tables"][name] for name in counts}
            copy = _snapshot()
        assert copy == source
        assert copy["pdfs"][posted] == pdf
        check = target_runner.invoke(args=["stock-check"])
        assert check.exit_code == 0 and "No drift" in check.output, check.output
        with target.app_context():  # the sequences go on where they were
            move = inventory.record_move({
                "product_id": product_id, "quantity": "2",
                "from_location_id": inventory.location_by_code("Suppliers").id,
                "to_location_id": inventory.location_by_code("WH/Stock").id})
            assert move.id > max(manifest["tables"]["stock_moves"], 0)
            partner = partner_services.create_partner({"name": "After the restore"})
            assert partner.id is not None
            assert db.session.scalar(select(func.count()).select_from(StockMove)) == \
                manifest["tables"]["stock_moves"] + 1


def test_restore_refuses_a_database_that_holds_data(app, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        partner_services.create_partner({"name": "Only partner"})
    archive = tmp_path / "small.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with app.app_context():
        partner_services.create_partner({"name": "Written after the backup"})
        before = table_counts()
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "holds data" in refused.output and "Nothing was changed" in refused.output
    with app.app_context():
        assert table_counts() == before


def test_restore_into_a_blank_database_and_backup_into_a_folder(app, tmp_path):
    with app.app_context():
        partner_services.create_partner({"name": "杭州西湖贸易"})
        users = db.session.scalar(select(func.count()).select_from(User))
    folder = tmp_path / "backups"
    missing = app.test_cli_runner().invoke(args=["backup", f"{folder}/"])
    assert missing.exit_code != 0 and "does not exist" in missing.output
    folder.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    [archive] = folder.glob("westlake-backup-*.tar.gz")
    with fresh_app(tmp_path, "blank") as target:  # no tables at all
        restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        with target.app_context():
            counts = table_counts()
            assert counts["partners"] == 1 and counts["users"] == users
            assert counts == {name: _manifest(archive)["tables"][name] for name in counts}


def _rewritten(archive: Path, target: Path, change, database: bytes | None = None) -> Path:
    """A copy of `archive` whose manifest went through `change` (and whose database is
    `database`, if given)."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    changed = change(manifest)
    if database is not None:
        members[manifest["database"]] = database
    members["manifest.json"] = json.dumps(changed).encode()
    if changed["database"] != manifest["database"]:
        members[changed["database"]] = members.pop(manifest["database"])
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_restore_refuses_what_is_not_its_archive(app, tmp_path):
    archive = tmp_path / "good.tar.gz"
    assert app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    other = "sqlite" if _manifest(archive)["dialect"] == "postgresql" else "postgresql"
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b not really gzip" * 50)
    no_manifest = tmp_path / "plain.tar"
    with tarfile.open(no_manifest, "w") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))

    def to_other(manifest):
        name = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other]
        return {**manifest, "dialect": other, "database": name}

    cases = {
        garbage: "is not a Westlake ERP backup archive",
        no_manifest: "is not a Westlake ERP backup archive",
        tmp_path / "missing.tar.gz": "does not exist",
        _rewritten(archive, tmp_path / "future.tar.gz",
                   lambda m: {**m, "revision": "9999_future"}): "does not know",
        _rewritten(archive, tmp_path / "v2.tar.gz", lambda m: {**m, "version": 2}):
            "format version 2",
        _rewritten(archive, tmp_path / "other.tar.gz", to_other): "the configured database is",
        # Sound archives whose database does not match the manifest, or is damaged: on
        # PostgreSQL the check inside the restore transaction undoes the load.
        _rewritten(archive, tmp_path / "count.tar.gz", lambda m: {
            **m, "tables": {**m["tables"], "locations": m["tables"]["locations"] + 1}}):
            "othing was changed",
        _rewritten(archive, tmp_path / "file.tar.gz", lambda m: {
            **m, "stored_files": {"company/logo/1": "00" * 32}}): "stored file",
        _rewritten(archive, tmp_path / "damaged.tar.gz", lambda m: m,
                   database=b"SQLite format 3\x00" + b"\x07" * 5000): "othing was changed",
    }
    with fresh_app(tmp_path, "untouched") as target:
        runner = target.test_cli_runner()
        for path, message in cases.items():
            result = runner.invoke(args=["restore", str(path)])
            assert result.exit_code != 0, (path, result.output)
            assert message in result.output, (path, result.output)
        with target.app_context():
            from sqlalchemy import inspect

            assert inspect(db.engine).get_table_names() == []  # nothing was written
