"""Form helpers shared by every module.

WTForms renders the fields and checks the CSRF token; the rules themselves live in the
services (shared/validation.py), so a form and the API can never disagree. A service's
ValidationError is put back on the form's fields with `show_errors`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from shared.errors import DomainError

T = TypeVar("T")


class ServiceForm(FlaskForm):
    """A form whose values go to a service as a plain dict."""

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "submit")}

    def show_errors(self, error: DomainError) -> None:
        shown = False
        for name, message in error.fields.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]
                shown = True
        if not shown:
            self.form_errors.append(error.message)


def run_form(form: ServiceForm, action: Callable[[dict[str, Any]], T]) -> T | None:
    """On a valid POST, call the service `action` with the form's values and return its
    result; a domain error goes back onto the form and None is returned."""
    if not form.validate_on_submit():
        return None
    try:
        return action(form.values())
    except DomainError as exc:
        form.show_errors(exc)
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:  # the service checks the choices
        pass


def blank_choice(label: Any = None) -> tuple[str, Any]:
    return ("", label or _l("—"))


def line_rows(form: Mapping[str, Any], inputs: Iterable[str], *, prefix: str = "line-",
              significant: Iterable[str] | None = None) -> list[dict[str, str]]:
    """A document form's line table, whose inputs repeat once per row (`line-quantity`,
    `line-unit_price`, ...), as one dict per row with the values stripped and blank ones
    left out. A row none of whose `significant` inputs (default: all) is filled is skipped,
    so the empty rows a form offers for adding lines never reach the service."""
    inputs = tuple(inputs)
    significant = tuple(significant or inputs)
    columns = {name: form.getlist(f"{prefix}{name}") for name in inputs}
    count = max((len(values) for values in columns.values()), default=0)
    rows = []
    for index in range(count):
        row = {name: (values[index] if index < len(values) else "").strip()
               for name, values in columns.items()}
        if any(row[name] for name in significant):
            rows.append({name: value for name, value in row.items() if value})
    return rows
