"""Company settings: one row, created by init-db."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from shared.company.models import COMPANY_ID, Company
from shared.db import transactional
from shared.errors import ValidationError
from shared.extensions import db
from shared.validation import Boolean, Choice, CurrencyCode, Number, Text, clean

COMPANY_SPEC = {
    "name": Text(required=True, max_length=200),
    "street": Text(max_length=200),
    "city": Text(max_length=100),
    "postal_code": Text(max_length=20),
    "country": Text(max_length=100),
    "tax_id": Text(max_length=50),
    "currency": CurrencyCode(required=True),
    "bank_details": Text(max_length=2000),
    "invoice_footer": Text(max_length=2000),
    "locale": Choice(("en", "zh")),
    "default_tax_rate": Number(places=2, min_value=0, max_value=100, required=True),
    "sales_see_own_only": Boolean(required=True),
    "ticket_assignment": Choice(("manual", "round_robin", "least_open"), required=True),
}

LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 1024 * 1024


def get_company() -> Company:
    company = db.session.get(Company, COMPANY_ID)
    if company is None:
        raise RuntimeError("No company row: run `flask --app app init-db` first")
    return company


def ensure_company() -> None:
    """Reference data: the company row, with the configured currency."""
    if db.session.get(Company, COMPANY_ID) is None:
        db.session.add(Company(id=COMPANY_ID, name="My Company",
                               currency=current_app.config["COMPANY_CURRENCY"], locale="en",
                               default_tax_rate=Decimal("13.00")))


@transactional
def update_company(data: dict, *, logo: bytes | None = None,
                   remove_logo: bool = False) -> Company:
    """Change the settings given in `data`; with `logo`, replace the logo (one transaction:
    a bad logo leaves the settings unchanged too)."""
    values = clean(COMPANY_SPEC, data, partial=True)  # the company row always exists
    company = get_company()
    for key, value in values.items():
        setattr(company, key, value)
    if logo:
        set_logo(logo)
    elif remove_logo:
        _remove_logo(company)
    return company


@transactional
def set_logo(content: bytes) -> None:
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationError(fields={"logo": _("At most 1 MB.")})
    mimetype = next((kind for magic, kind in LOGO_TYPES.items() if content.startswith(magic)),
                    None)
    if mimetype is None:
        raise ValidationError(fields={"logo": _("A PNG or JPEG image, please.")})
    company = get_company()
    company.logo = content
    company.logo_mimetype = mimetype
    company.logo_version += 1


def _remove_logo(company: Company) -> None:
    company.logo = None
    company.logo_mimetype = None
    company.logo_version += 1
