"""The audit trail as people read it (Odoo's chatter): who changed which record, named and
linked ("Sales order SO00007"), each field by its label in the user's language and each
value formatted like the pages show it (dates, quantities, amounts, yes/no, the name of a
customer or product rather than its id).

The entries keep the raw columns and values (the database's record of what happened); all of
this is presentation, worked out for one page of entries with one query per table named.
Each area says how its tables' records are named in its init_app
(`registry.add_record_kind`); shared/ names its own (partners, products, users, company).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, Numeric, Table, TypeDecorator, select

from shared import formatting
from shared.audit.models import AuditEntry
from shared.db import Base
from shared.extensions import db
from shared.registry import current_registry

ACTION_LABELS = {"insert": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted")}

# Labels of the columns many tables share; an area adds its own with add_record_kind.
FIELD_LABELS = {
    "name": _l("Name"), "title": _l("Title"), "code": _l("Code"), "email": _l("Email"),
    "phone": _l("Phone"), "street": _l("Street"), "city": _l("City"),
    "postal_code": _l("Postal code"), "country": _l("Country"), "tax_id": _l("Tax ID"),
    "kind": _l("Kind"), "notes": _l("Notes"), "note": _l("Note"), "active": _l("Active"),
    "state": _l("State"), "status": _l("Status"), "number": _l("Number"),
    "partner_id": _l("Customer"), "product_id": _l("Product"), "owner_id": _l("Owner"),
    "user_id": _l("User"), "salesperson_id": _l("Salesperson"),
    "created_by_id": _l("Created by"), "created_at": _l("Created"),
    "description": _l("Description"), "quantity": _l("Quantity"),
    "unit_price": _l("Unit price"), "discount_pct": _l("Discount (%%)"),
    "tax_rate": _l("Tax (%%)"), "subtotal": _l("Amount"), "tax": _l("Tax"),
    "total": _l("Total"), "untaxed_amount": _l("Untaxed amount"),
    "tax_amount": _l("Tax"), "amount": _l("Amount"), "amount_paid": _l("Amount paid"),
    "amount_due": _l("Amount due"), "currency": _l("Currency"), "date": _l("Date"),
    "due_date": _l("Due date"), "sequence": _l("Order"), "roles": _l("Roles"),
    "role": _l("Role"), "contact_name": _l("Contact name"), "source": _l("Source"),
    "expected_revenue": _l("Expected revenue"), "probability": _l("Probability"),
    "reserved_qty": _l("Reserved"), "delivered_qty": _l("Delivered"),
    "invoiced_qty": _l("Invoiced"), "credited_qty": _l("Credited"),
    "list_price": _l("Sales price"), "cost_price": _l("Cost"), "barcode": _l("Barcode"),
    "sku": _l("SKU"), "type": _l("Type"), "uom": _l("Unit of measure"),
    "reorder_point": _l("Reorder point"), "reorder_qty": _l("Reorder quantity"),
    "is_customer": _l("Customer"), "is_supplier": _l("Supplier"),
    "payment_term_days": _l("Payment terms (days)"), "credit_limit": _l("Credit limit"),
    "locale": _l("Language"), "order_date": _l("Order date"),
    "invoice_date": _l("Invoice date"), "method": _l("Method"), "reference": _l("Reference"),
    "subject": _l("Subject"), "done": _l("Done"), "stage_id": _l("Stage"),
    "lost_reason": _l("Lost reason"), "expected_close_date": _l("Expected close date"),
    "confirmed_at": _l("Confirmed"), "cancelled_at": _l("Cancelled"),
    "posted_at": _l("Posted"), "closed_at": _l("Closed"),
    "confirmed_by_id": _l("Confirmed by"), "invoice_status": _l("Invoicing"),
    "credit_override_by_id": _l("Credit limit overridden by"),
    "credit_override_at": _l("Credit limit overridden"),
    "credit_override_reason": _l("Reason for the override"),
    "customer_reference": _l("Customer reference"), "opportunity_id": _l("Opportunity"),
    "sales_order_id": _l("Sales order"), "lead_id": _l("Lead"), "invoice_id": _l("Invoice"),
    "reversed_at": _l("Reversed"), "reversed_by_id": _l("Reversed by"),
    "disqualify_reason": _l("Disqualified because"), "default_supplier_id": _l("Supplier"),
    "product_type": _l("Type"), "due": _l("Due"), "done_at": _l("Done"),
    "sales_see_own_only": _l("Salespeople see only their own leads and opportunities"),
    "default_tax_rate": _l("Default tax rate"), "bank_details": _l("Bank details"),
    "invoice_footer": _l("Invoice footer"), "weighted_revenue": _l("Weighted revenue"),
}

@dataclass(frozen=True)
class Record:
    kind: str
    name: str
    url: str | None


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    user_name: str
    action: str  # insert | update | delete
    action_label: str
    record: Record
    changes: list[Change]


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def _model(table: str) -> Any:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    return None


def _record_names(entries: list[AuditEntry]) -> dict[str, dict[str, str]]:
    """{table: {record id: name}} for the entries' records, one query per table."""
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        ids[entry.table_name].add(entry.record_id)
    names: dict[str, dict[str, str]] = {}
    kinds = current_registry().record_kinds
    for table, record_ids in ids.items():
        kind, model = kinds.get(table), _model(table)
        if kind is None or kind.name_column is None or model is None:
            continue
        wanted = [int(i) for i in record_ids if i.isdigit()]
        rows = db.session.execute(select(model.id, getattr(model, kind.name_column))
                                  .where(model.id.in_(wanted))).all() if wanted else []
        names[table] = {str(record_id): str(kind.name_labels.get(name, name))
                        for record_id, name in rows}
    return names


def _referenced_names(entries: list[AuditEntry]) -> dict[str, dict[str, str]]:
    """{table: {id: name}} for the records the changes point at (a customer, a product, a
    user, an opportunity...): every foreign key to a table whose records have a name."""
    kinds = current_registry().record_kinds
    ids: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        for key, values in entry.changes.items():
            target = _foreign_table(entry.table_name, key)
            if target in kinds and kinds[target].name_column:
                ids[target].update(int(v) for v in values if isinstance(v, int))
    names: dict[str, dict[str, str]] = {}
    for table, wanted in ids.items():
        model, kind = _model(table), kinds[table]
        if model is None or not wanted:
            continue
        names[table] = {str(record_id): str(kind.name_labels.get(name, name))
                        for record_id, name in db.session.execute(
                            select(model.id, getattr(model, kind.name_column))
                            .where(model.id.in_(wanted)))}
    return names


def _split(table: str, key: str) -> tuple[str, str]:
    """("sales_order_lines", "reserved_qty") for a child's "sales_order_lines#12.reserved_qty"
    recorded on its parent; (table, key) for the record's own column."""
    if "." not in key:
        return table, key
    owner, column = key.split(".", 1)
    return owner.split("#")[0], column


def _child(key: str) -> tuple[str, str] | None:
    """(child table, child id) of a child's change key, else None."""
    owner = key.split(".", 1)[0] if "." in key else ""
    if "#" not in owner:
        return None
    table, child_id = owner.split("#", 1)
    return table, child_id


def _foreign_table(table: str, key: str) -> str | None:
    owner, column = _split(table, key)
    found = _table(owner)
    if found is None or column not in found.columns:
        return None
    keys = list(found.columns[column].foreign_keys)
    return keys[0].column.table.name if keys else None


def field_label(table: str, key: str, child_names: dict[str, dict[str, str]]) -> str:
    """"Reserved", or for a child's column "Order line LED Desk Lamp · Reserved"."""
    kinds = current_registry().record_kinds
    owner, column = _split(table, key)
    kind = kinds.get(owner)
    label = str((kind.fields if kind else {}).get(column) or FIELD_LABELS.get(column)
                or column.replace("_", " ").capitalize())
    child = _child(key)
    if child is None:
        return label
    name = child_names.get(child[0], {}).get(child[1], "")
    kind_label = str(kind.label) if kind else child[0]
    return f"{kind_label} {name} · {label}" if name else f"{kind_label} · {label}"


def _child_names(entries: list[AuditEntry]) -> dict[str, dict[str, str]]:
    """{child table: {child id: name}} for the child rows the changes name (order lines by
    their description, ...), one query per child table."""
    ids: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        for key in entry.changes:
            child = _child(key)
            if child and child[1].isdigit():
                ids[child[0]].add(int(child[1]))
    names: dict[str, dict[str, str]] = {}
    kinds = current_registry().record_kinds
    for table, wanted in ids.items():
        model, kind = _model(table), kinds.get(table)
        if model is None or kind is None or not kind.name_column:
            continue
        names[table] = {str(child_id): str(name) for child_id, name in db.session.execute(
            select(model.id, getattr(model, kind.name_column)).where(model.id.in_(wanted)))}
    return names


def format_value(table: str, key: str, value: Any, referenced: dict[str, dict[str, str]]
                 ) -> str:
    """A recorded value as the pages would show it."""
    if value is None or value == "":
        return "—"
    owner, column = _split(table, key)
    found = _table(owner)
    kind = found.columns[column].type if found is not None and column in found.columns \
        else None
    if isinstance(kind, TypeDecorator):  # UTCDateTime and the like: judge by what they store
        kind = kind.impl_instance
    target = _foreign_table(table, key)
    if target in referenced and str(value) in referenced[target]:
        return referenced[target][str(value)]
    record_kind = current_registry().record_kinds.get(owner)
    labels = record_kind.values.get(column) if record_kind else None
    if labels and str(value) in labels:
        return str(labels[str(value)])
    try:
        if isinstance(kind, Boolean):
            return _("Yes") if value else _("No")
        if isinstance(kind, DateTime):
            return formatting.moment(datetime.fromisoformat(str(value)))
        if isinstance(kind, Date):
            return formatting.day(date.fromisoformat(str(value)))
        if isinstance(kind, Numeric):
            number = Decimal(str(value))
            if kind.scale == 3:
                return formatting.qty(number)
            return format_decimal(number, format="#,##0.00##" if kind.scale == 4 else
                                  "#,##0.00")
    except (ValueError, InvalidOperation):
        pass
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def record_of(entry: AuditEntry, names: dict[str, dict[str, str]]) -> Record:
    kind = current_registry().record_kinds.get(entry.table_name)
    label = str(kind.label) if kind else entry.table_name
    name = names.get(entry.table_name, {}).get(entry.record_id) or f"#{entry.record_id}"
    url = None
    if kind and kind.endpoint and entry.record_id.isdigit() and entry.action != "delete":
        url = url_for(kind.endpoint, **{kind.arg: int(entry.record_id)})
    return Record(label, name, url)


def present(entries: list[AuditEntry], user_names: dict[int, str]) -> list[Entry]:
    """A page of audit entries as people read them (a few queries for the whole page)."""
    names, referenced = _record_names(entries), _referenced_names(entries)
    children = _child_names(entries)
    shown = []
    for entry in entries:
        changes = [Change(field_label(entry.table_name, key, children),
                          format_value(entry.table_name, key, old, referenced),
                          format_value(entry.table_name, key, new, referenced))
                   for key, (old, new) in entry.changes.items()
                   if _split(entry.table_name, key)[1] != "id"]  # the record names itself
        shown.append(Entry(entry.at, user_names.get(entry.user_id) or _("System"),
                           entry.action, str(ACTION_LABELS[entry.action]),
                           record_of(entry, names), changes))
    return shown
