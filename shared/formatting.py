"""How figures and dates read on every page and document, in the user's language (Babel's
locale data): one place, so a date, a quantity or a cost looks the same everywhere.

- dates: Babel's medium format, never an all-numeric one ("Nov 30, 2026", "2026年11月30日"; a
  numeric 12/1/26 reads as 12 January in much of the world);
- timestamps: that date and the short time, in the company's time zone;
- quantities: grouped, without trailing zeros ("1,250", "2.5", never "127.000" or "5E+1");
- money: the currency's own places ("¥1,234.50"); costs up to 4 places ("¥92.50", "¥0.1234").
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_currency, format_date, format_decimal, format_time
from flask_babel import lazy_gettext as _l

QUANTITY_PATTERN = "#,##0.###"
COST_PATTERN = "¤#,##0.00##"


def day(value: date | datetime | None) -> str:
    """A date (or a timestamp's date, in the company's time zone)."""
    if value is None:
        return ""
    return format_date(value, "medium")


def moment(value: datetime | None) -> str:
    """A timestamp: its date and short time, in the company's time zone."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')}"


UNIT_LABELS = {"unit": _l("unit"), "box": _l("box"), "kg": _l("kg"), "m": _l("m"),
               "pack": _l("pack"), "hour": _l("hour")}


def uom(value: str | None) -> str:
    """A unit of measure in the user's language when it is one of the common ones."""
    return str(UNIT_LABELS.get(value or "", value or ""))


def qty(value: Decimal | int | str | None) -> str:
    """A quantity: 3.000 -> "3", 2.500 -> "2.5", 1250 -> "1,250"."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value), format=QUANTITY_PATTERN)


def cost(value: Decimal | None, currency: str) -> str:
    """A unit cost with its currency, 2 to 4 places (a moving average keeps 4)."""
    if value is None:
        return ""
    return format_currency(value, currency, format=COST_PATTERN, currency_digits=False)

