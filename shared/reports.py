"""The reports' plumbing (ARCHITECTURE.md: dashboards and reports are assembled, not
centralised). shared/ owns what every report has in common; each area contributes its reports
from its own package with `registry.add_report(ReportSpec(...))` in its `init_app`:

- `ReportQuery`: the filters of one request, parsed from the query string by the shared field
  rules: `from`/`to` (inclusive ISO dates, default the current calendar year up to today in the
  company's time zone), `as_of` (default today), `group_by` (one of the report's own), the
  optional `partner_id`, `product_id` and `salesperson_id`, and `limit_user_id`, the row-level
  limit of the signed-in user (`shared.queries.row_limit_user_id`) the report must apply;
- `ReportResult(items, totals)`: what a report's `build(query)` returns;
- `respond()`: the same rows as JSON (`{"items": [...], **totals}`, Decimals as strings),
  `?format=csv` (through shared/csvfiles.py, so no cell runs as a formula) or `?format=xlsx`
  (numbers stay numbers, a header row and a totals row).

The generic routes (`GET /api/v1/reports/<name>`, `GET /reports/<name>` and the `/reports`
index) live in shared/report_views.py; a report reads with the permission `(spec.area, "read")`
of permissions.csv.
"""
from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context
from flask_babel import gettext as _

from shared.csvfiles import csv_lines
from shared.dates import company_today
from shared.errors import ValidationError
from shared.validation import Choice, Integer, IsoDate, clean

FORMATS = ("json", "csv", "xlsx")
# What a column holds: how the page formats it and the spreadsheet stores it.
COLUMN_KINDS = ("text", "id", "int", "number", "qty", "money", "cost", "pct", "date", "days")
# The optional filters a report may take (besides its dates and group_by).
ID_FILTERS = ("partner_id", "product_id", "salesperson_id")
FILTERS = ("dates", "as_of", *ID_FILTERS)
XLSX_FORMATS = {"int": "0", "id": "0", "days": "0", "number": "#,##0.0##", "qty": "#,##0.###",
                "money": "#,##0.00",
                "cost": "#,##0.0000", "pct": "0.0", "date": "yyyy-mm-dd"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string
    kind: str = "text"
    secondary: bool = False  # hidden on phones, as the lists hide their minor columns

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def _column(value: Column | Sequence[Any]) -> Column:
    return value if isinstance(value, Column) else Column(*value)


@dataclass(frozen=True)
class ReportQuery:
    date_from: date | None = None
    date_to: date | None = None
    as_of: date | None = None
    group_by: str | None = None
    partner_id: int | None = None
    product_id: int | None = None
    salesperson_id: int | None = None
    # The row-level limit: the user id the rows must be limited to, or None (everything).
    limit_user_id: int | None = None
    format: str = "json"


@dataclass
class ReportResult:
    items: list[dict[str, Any]]
    totals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSpec:
    """One report. `area` is its permission area in permissions.csv (read with action
    `read`, e.g. `report_sales`); `build(query)` returns the ReportResult; `columns` are the
    items' keys in order as (key, label, kind[, secondary]); `totals` likewise for the
    totals; `group_by` the allowed ?group_by= values, the first the default, with
    `group_labels`; `filters` which of FILTERS the report takes; `explain` one sentence on
    how the figures are computed; `section` the heading it is listed under on /reports.
    `page_endpoint` names an existing page that shows the report instead of the generic one
    (the AR and AP aging keep their own pages and JSON); `row_url(item)` links a row's first
    text column on the page (a customer's page)."""

    name: str
    title: Any
    area: str
    build: Callable[[ReportQuery], ReportResult]
    columns: Sequence[Any]
    totals: Sequence[Any] = ()
    group_by: tuple[str, ...] = ()
    group_labels: Mapping[str, Any] = field(default_factory=dict)
    filters: tuple[str, ...] = ()
    explain: Any = ""
    section: Any = ""
    page_endpoint: str | None = None
    # fn(item) -> the URL its first text column links to on the page, or None
    row_url: Callable[[dict[str, Any]], str | None] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTERS)
        if unknown:
            raise ValueError(f"unknown report filters {sorted(unknown)}")
        object.__setattr__(self, "columns", tuple(_column(c) for c in self.columns))
        object.__setattr__(self, "totals", tuple(_column(c) for c in self.totals))

    @property
    def permission(self) -> tuple[str, str]:
        return (self.area, "read")


# --------------------------------------------------------------------------- the query


def default_range(today: date | None = None) -> tuple[date, date]:
    """The current calendar year up to today (company time zone)."""
    today = today or company_today()
    return date(today.year, 1, 1), today


def parse_query(spec: ReportSpec, args: Mapping[str, Any], *, limit_user_id: int | None = None,
                formats: Sequence[str] = FORMATS) -> ReportQuery:
    """The report's filters from the query string, by the shared field rules: every bad
    field at once as a 422 naming it (`from`, `to`, `as_of`, `group_by`, `format`, an id)."""
    rules: dict[str, Any] = {"format": Choice(formats)}
    if "dates" in spec.filters:
        rules.update({"from": IsoDate(), "to": IsoDate()})
    if "as_of" in spec.filters:
        rules["as_of"] = IsoDate()
    if spec.group_by:
        rules["group_by"] = Choice(spec.group_by)
    for name in ID_FILTERS:
        if name in spec.filters:
            rules[name] = Integer(min_value=1)
    present = {key: args[key] for key in rules if key in args and args[key] not in (None, "")}
    values = clean(rules, present, partial=True)
    query = ReportQuery(format=values.get("format") or "json",
                        group_by=values.get("group_by") or (spec.group_by[0] if spec.group_by
                                                            else None),
                        limit_user_id=limit_user_id,
                        **{name: values.get(name) for name in ID_FILTERS})
    today = company_today()
    if "dates" in spec.filters:
        start, end = default_range(today)
        given_to = values.get("to")
        # without `from`, the year so far; a `to` in an earlier year starts on its 1 January
        date_from = values.get("from") or min(start, date(given_to.year, 1, 1) if given_to
                                              else start)
        date_to = given_to or max(end, date_from)
        if date_to < date_from:
            raise ValidationError(fields={"to": _("Must not be before the start date.")})
        query = replace(query, date_from=date_from, date_to=date_to)
    if "as_of" in spec.filters:
        query = replace(query, as_of=values.get("as_of") or today)
    return query


def query_args(query: ReportQuery, spec: ReportSpec) -> dict[str, str]:
    """The query string that asks for `query` again (the download links carry the filters)."""
    args: dict[str, str] = {}
    if "dates" in spec.filters and query.date_from and query.date_to:
        args.update({"from": query.date_from.isoformat(), "to": query.date_to.isoformat()})
    if "as_of" in spec.filters and query.as_of:
        args["as_of"] = query.as_of.isoformat()
    if spec.group_by and query.group_by:
        args["group_by"] = query.group_by
    for name in ID_FILTERS:
        if name in spec.filters and getattr(query, name):
            args[name] = str(getattr(query, name))
    return args


# --------------------------------------------------------------------------- the answer


def filename(spec: ReportSpec, query: ReportQuery, extension: str) -> str:
    if query.date_from and query.date_to:
        span = f"{query.date_from.isoformat()}_{query.date_to.isoformat()}"
    else:
        span = (query.as_of or company_today()).isoformat()
    group = f"-{query.group_by}" if query.group_by and len(spec.group_by) > 1 else ""
    return f"{spec.name}{group}-{span}.{extension}"


def _header(spec: ReportSpec, labels: bool) -> list[str]:
    return [str(column.label) if labels else column.key for column in spec.columns]


def _rows(spec: ReportSpec, result: ReportResult) -> list[list[Any]]:
    return [[item.get(column.key) for column in spec.columns] for item in result.items]


def csv_response(spec: ReportSpec, query: ReportQuery, result: ReportResult, *,
                 labels: bool = False) -> Response:
    """The items as CSV (no totals row, so the file reads back as the JSON's items)."""
    lines = csv_lines(_header(spec, labels), _rows(spec, result))
    name = filename(spec, query, "csv")
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _xlsx_cell(sheet: Any, value: Any, kind: str, bold: bool = False) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, str) and kind not in ("text", "id"):
        with contextlib.suppress(ArithmeticError):  # a figure as text is still a number
            value = Decimal(value)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value if not isinstance(value, str) else None)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text is never a formula, even "=HYPERLINK(...)"
    if kind in XLSX_FORMATS and isinstance(value, int | float | Decimal | date):
        cell.number_format = XLSX_FORMATS[kind]
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(spec: ReportSpec, result: ReportResult, *, labels: bool = True) -> bytes:
    """A workbook of one sheet: the header row, one row per item, then a totals row when the
    report has totals (each total under its column, or listed below when it has none)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.name[:31])
    sheet.append([_xlsx_cell(sheet, text, "text", bold=True)
                  for text in _header(spec, labels)])
    for row in _rows(spec, result):
        sheet.append([_xlsx_cell(sheet, value, column.kind)
                      for value, column in zip(row, spec.columns, strict=True)])
    if result.totals:
        keys = [column.key for column in spec.columns]
        kinds = {column.key: column.kind for column in spec.totals}
        under = {key: value for key, value in result.totals.items() if key in keys}
        if under:
            cells = [_xlsx_cell(sheet, under.get(key), kinds.get(key, "money"), bold=True)
                     for key in keys]
            cells[0] = _xlsx_cell(sheet, _("Total"), "text", bold=True)
            sheet.append(cells)
        for column in spec.totals:
            if column.key not in under:
                sheet.append([_xlsx_cell(sheet, str(column.label), "text", bold=True),
                              _xlsx_cell(sheet, result.totals.get(column.key), column.kind,
                                         bold=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(spec: ReportSpec, query: ReportQuery, result: ReportResult, *,
                  labels: bool = True) -> Response:
    name = filename(spec, query, "xlsx")
    return Response(xlsx_bytes(spec, result, labels=labels), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def respond(spec: ReportSpec, query: ReportQuery, result: ReportResult, *,
            labels: bool = False) -> Any:
    """The answer in the query's format: a dict for JSON (the API's JSON provider writes
    Decimals as strings and dates as ISO 8601), or the file. `labels` heads the file's
    columns with the translated labels (the pages' downloads) instead of the JSON keys."""
    if query.format == "csv":
        return csv_response(spec, query, result, labels=labels)
    if query.format == "xlsx":
        return xlsx_response(spec, query, result, labels=labels)
    return {"items": result.items, **result.totals}

