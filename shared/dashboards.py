"""The role dashboards of the home page: plumbing only.

Each area registers its widgets in its init_app (`registry.add_widget(key, roles, build)`);
the home page shows one section per role of the user (an administrator's is the management
section) with the widgets registered for that role. A widget's `build()` returns
(template, context), usually made with the helpers below, or None to show nothing:

- `chart(...)`: a bar, line or doughnut chart drawn by static/js/charts.js from a JSON block
  (never executed, so the CSP holds), each figure linked to the list behind it, with the same
  figures and links as a table under it for screen readers and phones;
- `figures(...)`: a few linked numbers;
- `rows(...)`: a short linked list (name, value).
shared/ never imports erp/ or crm/: the widgets live in the areas' `dashboard.py`.
"""
from __future__ import annotations

import calendar
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shared.registry import Widget, current_registry

# The sections in the order the home page shows them, with their headings.
SECTIONS = {
    "admin": _l("Management"),
    "sales": _l("Sales"),
    "warehouse": _l("Warehouse"),
    "finance": _l("Finance"),
    "support": _l("Support"),
}
CHART_KINDS = ("bar", "horizontal", "line", "doughnut")


@dataclass(frozen=True)
class Section:
    role: str
    title: Any
    widgets: list[tuple[str, dict[str, Any]]]


def sections(user: Any = None) -> list[Section]:
    """The dashboard sections of `user` (default: the signed-in user), each with the widgets
    that have something to show."""
    user = user if user is not None else current_user
    roles = set(getattr(user, "roles", None) or ())
    widgets = sorted(current_registry().widgets, key=lambda w: w.order)
    shown = []
    for role, title in SECTIONS.items():
        if role not in roles:
            continue
        built = [result for widget in widgets if role in widget.roles
                 if (result := _build(widget)) is not None]
        if built:
            shown.append(Section(role, title, built))
    return shown


_CACHE: dict[tuple, tuple[float, Any]] = {}
_CACHE_LOCK = threading.Lock()


def _build(widget: Widget):
    """A widget's (template, context); a `shared` widget (company-wide figures) is reused for
    DASHBOARD_CACHE_SECONDS per application and language, so a page of management charts
    over 100,000 invoices is not summed again on every visit (0 turns this off)."""
    seconds = current_app.config.get("DASHBOARD_CACHE_SECONDS", 0)
    if not widget.shared or not seconds:
        return widget.build()
    key = (id(current_app._get_current_object()), widget.key, str(get_locale()))
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and now - hit[0] < seconds:
        return hit[1]
    result = widget.build()
    with _CACHE_LOCK:
        _CACHE[key] = (now, result)
    return result


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


# --------------------------------------------------------------------------- widgets


@dataclass(frozen=True)
class Series:
    """One data set of a chart: its values (numbers), how each reads (formatted, e.g. money)
    and the list each one opens."""

    label: Any
    values: list[Any]
    texts: list[str]
    urls: list[str | None]


def _number(value: Any) -> float | int:
    if isinstance(value, Decimal):
        return float(value)
    return value or 0


def chart(key: str, title: Any, kind: str, labels: list[Any], series: list[Series], *,
          description: Any = None, money: bool = False,
          link: tuple[Any, str] | None = None) -> tuple[str, dict[str, Any]]:
    """A chart widget. `kind` is bar, horizontal (bars across, for long names), line or
    doughnut; `money` formats the axis as amounts. `link` is an optional (label, url) to the
    full report."""
    if kind not in CHART_KINDS:
        raise ValueError(f"unknown chart kind {kind!r}")
    spec = {
        "type": kind,
        "labels": [str(label) for label in labels],
        "money": money,
        "datasets": [{"label": str(s.label), "data": [_number(v) for v in s.values],
                      "texts": s.texts, "urls": s.urls} for s in series],
    }
    return "shared/dashboard/_chart.html", {
        "key": key, "title": title, "description": description, "spec": spec,
        "labels": [str(label) for label in labels], "series": series, "link": link}


@dataclass(frozen=True)
class Figure:
    label: Any
    value: str
    url: str | None = None
    attention: bool = False  # red: something waits to be done


def figures(key: str, title: Any, items: list[Figure]) -> tuple[str, dict[str, Any]]:
    return "shared/dashboard/_figures.html", {"key": key, "title": title, "items": items}


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    url: str | None = None
    attention: bool = False


def rows(key: str, title: Any, items: list[Row], *, empty: Any,
         more: tuple[Any, str] | None = None) -> tuple[str, dict[str, Any]]:
    """A short list; `empty` is the sentence shown without rows, `more` a (label, url) to
    the whole list."""
    return "shared/dashboard/_rows.html", {"key": key, "title": title, "items": items,
                                           "empty": empty, "more": more}


# --------------------------------------------------------------------------- periods


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_labels() -> list[str]:
    """January to December, abbreviated in the user's language."""
    return [format_date(date(2000, month, 1), "MMM") for month in range(1, 13)]


def week_starts(weeks: int, today: date) -> list[date]:
    """The Mondays of the last `weeks` weeks, the current one last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def short_day(day: date) -> str:
    return format_date(day, "MMM d")
