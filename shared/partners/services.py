"""Partner operations, including the duplicate rules of API.md."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from shared.db import flush_or_duplicate, transactional
from shared.errors import Duplicate, NotFound
from shared.extensions import db
from shared.partners.models import PARTNER_KINDS, Partner
from shared.queries import search
from shared.sequences.services import next_number
from shared.validation import Boolean, Choice, Email, Integer, Number, Phone, Text, clean

PARTNER_SPEC = {
    "code": Text(max_length=40),
    "name": Text(required=True, max_length=200),
    "contact_name": Text(max_length=200),
    "kind": Choice(PARTNER_KINDS, default="company"),
    "email": Email(max_length=254),
    "phone": Phone(max_length=40),
    "tax_id": Text(max_length=50),
    "street": Text(max_length=200),
    "city": Text(max_length=100),
    "postal_code": Text(max_length=20),
    "country": Text(max_length=100),
    "is_customer": Boolean(default=True),
    "is_supplier": Boolean(default=False),
    "payment_term_days": Integer(min_value=0, max_value=3650, default=30),
    "credit_limit": Number(places=2, min_value=0),
    "notes": Text(max_length=5000),
    "locale": Choice(("en", "zh")),
}


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def tax_id_key(tax_id: str | None) -> str | None:
    return re.sub(r"\s+", "", tax_id).upper() if tax_id else None


def get_partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(_("No such partner."))
    return partner


def find_duplicate(email: str | None, tax_id: str | None,
                   except_id: int | None = None) -> tuple[Partner, str] | None:
    """An existing partner with the same email (ignoring case and surrounding spaces) or tax
    id (ignoring case and all spaces), and which field matched."""
    keys = {"email": email_key(email), "tax_id": tax_id_key(tax_id)}
    conditions = []
    if keys["email"]:
        conditions.append(Partner.email_key == keys["email"])
    if keys["tax_id"]:
        conditions.append(Partner.tax_id_key == keys["tax_id"])
    if not conditions:
        return None
    stmt = select(Partner).where(or_(*conditions)).order_by(Partner.id).limit(1)
    if except_id is not None:
        stmt = stmt.where(Partner.id != except_id)
    match = db.session.scalar(stmt)
    if match is None:
        return None
    field = "email" if keys["email"] and match.email_key == keys["email"] else "tax_id"
    return match, field


def _allows_duplicate(data: dict) -> bool:
    """The caller's explicit "create anyway" (API `allow_duplicate`, the form's second save)."""
    return bool(clean({"allow_duplicate": Boolean()}, data, partial=True).get("allow_duplicate"))


def _refuse_duplicate(values: dict, except_id: int | None = None) -> None:
    found = find_duplicate(values.get("email"), values.get("tax_id"), except_id)
    if found:
        partner, field = found
        raise Duplicate(
            _("%(name)s (%(code)s) already has this %(field)s.", name=partner.name,
              code=partner.code, field=_("email") if field == "email" else _("tax ID")),
            existing_id=partner.id, field=field, fields={field: _("Already used by %(name)s.",
                                                                  name=partner.name)})


def _refuse_taken_code(code: str, except_id: int | None = None) -> None:
    existing = db.session.scalar(select(Partner).where(Partner.code == code))
    if existing is not None and existing.id != except_id:
        raise Duplicate(_("The code %(code)s is already used.", code=code),
                        existing_id=existing.id, field="code",
                        fields={"code": _("Already in use.")})


def _new_code() -> str:
    while True:
        code = next_number("partner")
        if db.session.scalar(select(Partner.id).where(Partner.code == code)) is None:
            return code


def _apply(partner: Partner, values: dict) -> None:
    for key, value in values.items():
        setattr(partner, key, value)
    partner.email_key = email_key(partner.email)
    partner.tax_id_key = tax_id_key(partner.tax_id)


@transactional
def create_partner(data: dict, *, user_id: int | None = None) -> Partner:
    values = clean(PARTNER_SPEC, data)
    if not _allows_duplicate(data):
        _refuse_duplicate(values)
    if values.get("code"):
        _refuse_taken_code(values["code"])
    else:
        values["code"] = _new_code()
    partner = Partner(created_by_id=user_id)
    _apply(partner, values)
    db.session.add(partner)
    flush_or_duplicate(_("The code %(code)s is already used.", code=values["code"]), "code")
    return partner


@transactional
def update_partner(partner_id: int, data: dict) -> Partner:
    partner = get_partner(partner_id)
    spec = {**PARTNER_SPEC, "code": Text(required=True, max_length=40)}
    values = clean(spec, data, partial=True)
    changed_identity = {}
    if "email" in values and email_key(values["email"]) != partner.email_key:
        changed_identity["email"] = values["email"]
    if "tax_id" in values and tax_id_key(values["tax_id"]) != partner.tax_id_key:
        changed_identity["tax_id"] = values["tax_id"]
    if changed_identity and not _allows_duplicate(data):
        _refuse_duplicate(changed_identity, except_id=partner.id)
    if "code" in values and values["code"] != partner.code:
        _refuse_taken_code(values["code"], except_id=partner.id)
    _apply(partner, values)
    flush_or_duplicate(_("The code %(code)s is already used.", code=partner.code), "code")
    return partner


def partner_query(q: str | None = None, *, is_customer: bool | None = None,
                  is_supplier: bool | None = None, kind: str | None = None) -> Select:
    """The partner list every page, export and API shares (newest first)."""
    stmt = select(Partner).order_by(Partner.id.desc())
    stmt = search(stmt, q, [Partner.name, Partner.code, Partner.email, Partner.phone,
                            Partner.city])
    if is_customer is not None:
        stmt = stmt.where(Partner.is_customer.is_(is_customer))
    if is_supplier is not None:
        stmt = stmt.where(Partner.is_supplier.is_(is_supplier))
    if kind:
        stmt = stmt.where(Partner.kind == kind)
    return stmt
