"""Input cleaning shared by the JSON API and the HTML forms.

Services validate their input with a spec (a dict of field name -> Field) so that every rule
lives in one place: the API sends JSON values, a form sends strings, both arrive here. Errors
are collected for all fields and raised together as one ValidationError (422 with `fields`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_decimal
from flask_babel import gettext as _

from shared.errors import ValidationError

MISSING = object()
# The largest whole number a column stores (PostgreSQL's integer; ids, days, counts): a bigger
# one is refused here rather than failing in the database.
MAX_INT = 2**31 - 1


class FieldError(Exception):
    pass


class Field:
    def __init__(self, *, required: bool = False, default: Any = MISSING) -> None:
        self.required = required
        self.default = default

    def clean(self, value: Any) -> Any:
        if _is_blank(value):
            if self.required:
                raise FieldError(_("This field is required."))
            return None
        return self.convert(value)

    def convert(self, value: Any) -> Any:
        return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Text(Field):
    def __init__(self, *, max_length: int = 255, **kw: Any) -> None:
        super().__init__(**kw)
        self.max_length = max_length

    def convert(self, value: Any) -> str:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise FieldError(_("Must be text."))
        text = str(value).strip()
        if "\x00" in text:  # PostgreSQL cannot store it
            raise FieldError(_("Must not contain a NUL character."))
        if len(text) > self.max_length:
            raise FieldError(_("At most %(n)d characters.", n=self.max_length))
        return text


class Email(Text):
    def convert(self, value: Any) -> str:
        text = super().convert(value)
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise FieldError(_("Not a valid email address.")) from None


class Phone(Text):
    ALLOWED = set("0123456789+-() .")

    def convert(self, value: Any) -> str:
        text = super().convert(value)
        digits = sum(ch.isdigit() for ch in text)
        if not set(text) <= self.ALLOWED or digits < 5:
            raise FieldError(_("Not a valid phone number."))
        return text


class CurrencyCode(Text):
    """An ISO 4217 code such as CNY; lower case is accepted and upper-cased."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(max_length=3, **kw)

    def convert(self, value: Any) -> str:
        text = super().convert(value).upper()
        if len(text) != 3 or not text.isascii() or not text.isalpha():
            raise FieldError(_("A three-letter currency code, e.g. CNY."))
        return text


class Number(Field):
    """A decimal number. JSON numbers and strings are accepted; floats never reach the model."""

    PRECISION = 18  # digits, as the Numeric columns of shared/db.py

    def __init__(self, *, places: int = 2, min_value: Decimal | int | None = None,
                 max_value: Decimal | int | None = None, positive: bool = False,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.places = places
        self.min_value = None if min_value is None else Decimal(min_value)
        self.max_value = None if max_value is None else Decimal(max_value)
        self.positive = positive

    def convert(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise FieldError(_("Must be a number."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise FieldError(_("Must be a number.")) from None
        if not number.is_finite():
            raise FieldError(_("Must be a finite number."))
        if number.as_tuple().exponent < -self.places:  # type: ignore[operator]
            raise FieldError(_("At most %(n)d decimal places.", n=self.places))
        if abs(number) >= Decimal(10) ** (self.PRECISION - self.places):
            raise FieldError(_("This number is too large."))
        if number.is_zero():
            number = number.copy_abs()  # "-0" is 0, never a stored -0.00
        if self.positive and number <= 0:
            raise FieldError(_("Must be greater than zero."))
        if self.min_value is not None and number < self.min_value:
            raise FieldError(_("Must be at least %(n)s.", n=format_decimal(self.min_value)))
        if self.max_value is not None and number > self.max_value:
            raise FieldError(_("Must be at most %(n)s.", n=format_decimal(self.max_value)))
        return number


# The most units one line or move may carry: a typo or a stuck scanner key (99,999,999,999,999)
# is refused with a clear message instead of being booked.
MAX_QUANTITY = Decimal("1000000")


def Qty(*, positive: bool = True, **kw: Any) -> Number:
    """A quantity of units: 3 decimal places, more than zero unless `positive=False` (then
    zero or more), at most MAX_QUANTITY."""
    if not positive:
        kw.setdefault("min_value", 0)
    return Number(places=3, positive=positive, max_value=MAX_QUANTITY, **kw)


class Integer(Field):
    def __init__(self, *, min_value: int | None = None, max_value: int | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.min_value = min_value
        self.max_value = max_value

    def convert(self, value: Any) -> int:
        if isinstance(value, bool):
            raise FieldError(_("Must be a whole number."))
        if isinstance(value, str):
            value = value.strip()
            digits = value.removeprefix("-")
            if not digits.isdecimal():  # isdigit() passes "²", which int() refuses
                raise FieldError(_("Must be a whole number."))
            digits = digits.lstrip("0") or "0"
            if len(digits) > 19:  # int() refuses thousands of digits
                raise FieldError(_("This number is too large."))
            value = -int(digits) if value.startswith("-") else int(digits)
        if not isinstance(value, int):
            raise FieldError(_("Must be a whole number."))
        if not -MAX_INT - 1 <= value <= MAX_INT:
            raise FieldError(_("This number is too large."))
        if self.min_value is not None and value < self.min_value:
            raise FieldError(_("Must be at least %(n)s.", n=format_decimal(self.min_value)))
        if self.max_value is not None and value > self.max_value:
            raise FieldError(_("Must be at most %(n)s.", n=format_decimal(self.max_value)))
        return value


def id_or_none(value: Any) -> int | None:
    """`value` (text or a number) as a record id, a whole number from 1 to MAX_INT, else None:
    for a view that reads an optional id from a query or a form itself. (str.isdigit() also
    passes "²", which int() refuses, int() refuses text of thousands of digits, and an id no
    column stores failed in the database: each answered 500.)"""
    try:
        number = Integer(min_value=1).clean(value)
    except FieldError:
        return None
    return number


class Boolean(Field):
    TRUE = {"true", "1", "yes", "on", "y"}
    FALSE = {"false", "0", "no", "off", "n"}

    def convert(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in self.TRUE | self.FALSE:
            return value.strip().lower() in self.TRUE
        raise FieldError(_("Must be true or false."))


class Choice(Field):
    def __init__(self, choices: Iterable[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.choices = tuple(choices)

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise FieldError(_("Must be one of: %(choices)s.", choices=", ".join(self.choices)))
        return value.strip()


class ChoiceList(Field):
    def __init__(self, choices: Iterable[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.choices = tuple(choices)

    def clean(self, value: Any) -> Any:
        if value in (None, "", []):
            if self.required:
                raise FieldError(_("Choose at least one."))
            return []
        return self.convert(value)

    def convert(self, value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise FieldError(_("Must be a list."))
        unknown = [v for v in items if v not in self.choices]
        if unknown:
            raise FieldError(_("Unknown value: %(v)s. Allowed: %(choices)s.",
                               v=", ".join(unknown), choices=", ".join(self.choices)))
        return sorted(set(items), key=self.choices.index)


# The dates a field takes: arithmetic on them (a due date, the day after, a shift of time
# zone) stays inside what Python's dates hold; year 1 and year 9999 answered 500.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


class IsoDate(Field):
    def convert(self, value: Any) -> date:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip())
            except ValueError:
                raise FieldError(_("Must be a date as YYYY-MM-DD.")) from None
        plain = day.date() if isinstance(day, datetime) else day
        if not MIN_DATE <= plain <= MAX_DATE:
            raise FieldError(_("Must be a date from %(first)s to %(last)s.",
                               first=MIN_DATE.isoformat(), last=MAX_DATE.isoformat()))
        return day


Spec = Mapping[str, Field]


def clean(spec: Spec, data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate `data` against `spec`.

    With partial=True (a PATCH) only the keys present are checked. Unknown keys are ignored so
    that clients may send back a record as they received it.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, field in spec.items():
        if name not in data:
            if partial:
                continue
            if field.default is not MISSING:
                cleaned[name] = field.default
                continue
            if field.required:
                errors[name] = _("This field is required.")
            continue
        try:
            value = field.clean(data[name])
        except FieldError as exc:
            errors[name] = str(exc)
            continue
        if value is None and field.default is not MISSING:
            if partial and field.default is not None:
                # a PATCH cannot empty a field that always has a value (a flag, a default)
                errors[name] = _("This field is required.")
                continue
            value = field.default
        cleaned[name] = value
    if errors:
        raise ValidationError(fields=errors)
    return cleaned


def clean_rows(spec: Spec, raw: Any, name: str = "lines") -> tuple[list[dict], dict[str, str]]:
    """Each object of a list (a document's lines) cleaned by `spec`. Returns the cleaned rows
    ({} for a bad one, so indexes stay aligned) and the errors of every bad field of every
    row at once, keyed `lines.0.quantity`."""
    if not isinstance(raw, list):
        return [], {name: _("Must be a list of lines.")}
    errors: dict[str, str] = {}
    cleaned: list[dict] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"{name}.{index}"] = _("Must be an object.")
            cleaned.append({})
            continue
        try:
            cleaned.append(clean(spec, item))
        except ValidationError as exc:
            errors.update({f"{name}.{index}.{field}": why for field, why in exc.fields.items()})
            cleaned.append({})
    return cleaned, errors
