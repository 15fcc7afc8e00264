"""CSV import and export of leads.

An import is all or nothing: every row is validated in Python with the same rules as the
form and the API (LEAD_SPEC), every bad line is reported with its line number, and only when
all are good are the leads written, with one bulk INSERT per few thousand rows, under one
import record that says who imported which file.
"""
from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from crm.leads.models import Lead, LeadImport
from crm.leads.services import LEAD_SPEC, SOURCE_LABELS, normal_key
from shared.csvfiles import csv_lines, unescape_cell
from shared.db import transactional, utcnow
from shared.errors import ValidationError
from shared.extensions import db
from shared.scale import bulk_insert
from shared.users.models import User
from shared.validation import clean

# Import columns: the field, then the header names recognised for it (export writes the first).
COLUMNS = {
    "title": ("title", "标题", "lead", "线索"),
    "contact_name": ("contact_name", "contact", "联系人"),
    "company_name": ("company_name", "company", "公司", "公司名称"),
    "email": ("email", "e-mail", "邮箱", "电子邮件"),
    "phone": ("phone", "mobile", "电话", "手机"),
    "street": ("street", "address", "地址", "街道"),
    "city": ("city", "城市"),
    "postal_code": ("postal_code", "zip", "postcode", "邮编"),
    "country": ("country", "国家"),
    "source": ("source", "来源"),
    "expected_revenue": ("expected_revenue", "revenue", "预计收入", "金额"),
    "notes": ("notes", "note", "备注"),
    "owner_email": ("owner_email", "owner", "负责人"),
}
FIELD_LABELS = {
    "title": _l("Title"), "contact_name": _l("Contact name"), "company_name": _l("Company name"),
    "email": _l("Email"), "phone": _l("Phone"), "street": _l("Street"), "city": _l("City"),
    "postal_code": _l("Postal code"), "country": _l("Country"), "source": _l("Source"),
    "expected_revenue": _l("Expected revenue"), "notes": _l("Notes"),
    "owner_email": _l("Owner's email"),
}
MAX_ERRORS_SHOWN = 200
PREVIEW_ROWS = 5


@dataclass
class LineError:
    line: int
    problems: list[str]  # one per bad field, each a whole sentence

    @property
    def message(self) -> str:
        return " ".join(self.problems)


@dataclass
class Preview:
    token: str
    filename: str
    headers: list[str]
    mapping: dict[str, str]  # header -> field ("" ignores the column)
    rows: list[list[str]]
    row_count: int


@dataclass
class ImportResult:
    record: LeadImport | None = None
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "lead-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China often saves GB18030
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(fields={"file": _("The file is not UTF-8 or GB18030 text.")})


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    aliases = {alias.lower(): name for name, names in COLUMNS.items() for alias in names}
    mapping, taken = {}, set()
    for header in headers:
        name = aliases.get(header.strip().lower(), "")
        mapping[header] = "" if name in taken else name
        taken.add(name)
    return mapping


def stage_upload(content: bytes, filename: str) -> Preview:
    """Keep the uploaded file under instance/ and describe it for the preview page."""
    if not content.strip():
        raise ValidationError(fields={"file": _("Choose a CSV file with a header line.")})
    text = _decode(content)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationError(fields={"file": _("Choose a CSV file with a header line.")})
    headers = rows[0]
    mapping = guess_mapping(headers)
    if "title" not in mapping.values():
        raise ValidationError(fields={"file": _("No column is called title (or 标题).")})
    token = secrets.token_hex(16)
    (_upload_dir() / f"{token}.csv").write_text(text, encoding="utf-8")
    return Preview(token, filename, headers, mapping, rows[1:1 + PREVIEW_ROWS],
                   sum(1 for row in rows[1:] if any(cell.strip() for cell in row)))


def staged_text(token: str) -> str:
    if not token.isalnum():
        raise ValidationError(fields={"file": _("The upload has expired; choose the file again.")})
    path = _upload_dir() / f"{token}.csv"
    if not path.exists():
        raise ValidationError(fields={"file": _("The upload has expired; choose the file again.")})
    return path.read_text(encoding="utf-8")


def discard_upload(token: str) -> None:
    if token.isalnum():
        (_upload_dir() / f"{token}.csv").unlink(missing_ok=True)


def _records(text: str, mapping: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {field: value}) for every non-blank data row; line numbers count the
    header as line 1, as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text))
    headers = next(reader, [])
    columns = [(index, mapping.get(header, "")) for index, header in enumerate(headers)]
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield start, {name: unescape_cell(row[index]) if index < len(row) else ""
                      for index, name in columns if name}


def source_codes() -> dict[str, str]:
    """What a file may say for a lead's source: the code (`web`) or the label the pages show,
    in English or Chinese (`Website`, `网站`), any case."""
    codes = {}
    for locale in ("en", "zh"):
        with force_locale(locale):
            codes.update({str(label).lower(): code for code, label in SOURCE_LABELS.items()})
    return {**codes, **{code: code for code in SOURCE_LABELS}}


def _check_mapping(mapping: dict[str, str]) -> None:
    names = [name for name in mapping.values() if name]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or "title" not in names:
        raise ValidationError(fields={"mapping": _("Map one column to the title.")})
    if len(names) != len(set(names)):
        raise ValidationError(fields={"mapping": _("Map each field from one column only.")})


def validate_rows(text: str, mapping: dict[str, str], user_id: int | None
                  ) -> tuple[list[dict], list[LineError], int]:
    """Every row cleaned by LEAD_SPEC: (lead rows ready to insert, errors, error count)."""
    owners = {email.lower(): uid for uid, email in db.session.execute(select(User.id, User.email))}
    spec = {name: rule for name, rule in LEAD_SPEC.items() if name != "owner_id"}
    labels = {**FIELD_LABELS}
    now = utcnow()
    good, errors, error_count = [], [], 0
    sources = source_codes()
    for line, record in _records(text, mapping):
        if record.get("source"):
            record["source"] = sources.get(record["source"].strip().lower(), record["source"])
        owner_email = (record.pop("owner_email", "") or "").strip().lower()
        problems = []
        try:
            values = clean(spec, record)
        except ValidationError as exc:
            problems = [f"{labels.get(name, name)}: {message}"
                        for name, message in exc.fields.items()]
            values = {}
        owner_id = owners.get(owner_email) if owner_email else user_id
        if owner_email and owner_id is None:
            problems.append(f"{labels['owner_email']}: " + _("No user with this email."))
        if problems:
            error_count += 1
            if len(errors) < MAX_ERRORS_SHOWN:
                errors.append(LineError(line, problems))
            continue
        good.append({**{name: values.get(name) for name in spec}, "status": "new",
                     "owner_id": owner_id, "created_by_id": user_id, "created_at": now,
                     "email_key": normal_key(values.get("email")),
                     "phone_key": normal_key(values.get("phone")),
                     "company_key": normal_key(values.get("company_name"))})
    return good, errors, error_count


@transactional
def import_leads(token: str, mapping: dict[str, str], filename: str, *,
                 user_id: int | None) -> ImportResult:
    """Validate the staged file; import every row or, if any line is bad, nothing."""
    _check_mapping(mapping)
    rows, errors, error_count = validate_rows(staged_text(token), mapping, user_id)
    if error_count:
        discard_upload(token)  # the corrected file is uploaded again
        return ImportResult(errors=errors, error_count=error_count)
    if not rows:
        raise ValidationError(fields={"file": _("The file has no data rows.")})
    record = LeadImport(filename=filename[:255], row_count=len(rows), user_id=user_id)
    db.session.add(record)
    db.session.flush()
    for row in rows:
        row["import_id"] = record.id
    bulk_insert(Lead, rows)
    discard_upload(token)
    return ImportResult(record=record)


def recent_imports(limit: int = 10) -> list[tuple[LeadImport, str | None]]:
    stmt = select(LeadImport, User.name).outerjoin(User, User.id == LeadImport.user_id) \
        .order_by(LeadImport.id.desc()).limit(limit)
    return [(record, name) for record, name in db.session.execute(stmt)]


# --------------------------------------------------------------------------- export

EXPORT_FIELDS = ("title", "contact_name", "company_name", "email", "phone", "street", "city",
                 "postal_code", "country", "source",
                 "expected_revenue", "notes", "owner_email", "status", "id", "created_at")


def export_rows(stmt: Select) -> Iterator[str]:
    """The leads of `stmt` (already filtered and row-limited) as CSV lines, streamed: the
    query runs when the download starts, inside its streamed request context."""
    owners = dict(db.session.execute(select(User.id, User.email)).all())
    rows = ([owners.get(lead.owner_id, "") if name == "owner_email" else getattr(lead, name)
             for name in EXPORT_FIELDS]
            for lead in db.session.scalars(stmt.execution_options(yield_per=1000)))
    yield from csv_lines(EXPORT_FIELDS, rows)
