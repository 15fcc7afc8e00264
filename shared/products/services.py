"""Product operations."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, select

from shared.company.services import get_company
from shared.db import flush_or_duplicate, transactional
from shared.errors import Duplicate, NotFound, ValidationError
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import PRODUCT_TYPES, Product
from shared.queries import search
from shared.registry import current_registry
from shared.validation import Boolean, Choice, Integer, Number, Text, clean

PRODUCT_SPEC = {
    "sku": Text(required=True, max_length=64),
    "barcode": Text(max_length=64),
    "name": Text(required=True, max_length=200),
    "type": Choice(PRODUCT_TYPES, default="stockable"),
    "uom": Text(max_length=20, default="unit"),
    "list_price": Number(places=2, min_value=0, default=Decimal("0")),
    "cost_price": Number(places=4, min_value=0, default=Decimal("0")),
    "tax_rate": Number(places=2, min_value=0, max_value=100),
    "reorder_point": Number(places=3, min_value=0),
    "reorder_qty": Number(places=3, min_value=0, default=Decimal("0")),
    "default_supplier_id": Integer(min_value=1),
    "active": Boolean(default=True),
}

ZERO = Decimal("0.000")

def stock_figures(product_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """{product_id: (on_hand, reserved, available)} over internal locations, one query."""
    ids = list(product_ids)
    # Inventory provides the figures (wired in its init_app: dependencies run erp -> shared,
    # never back); without inventory every product has nothing on hand.
    provider = current_registry().stock_provider
    raw = provider(ids) if provider else {}
    figures = {}
    for product_id in ids:
        on_hand, reserved = raw.get(product_id, (ZERO, ZERO))
        figures[product_id] = (on_hand, reserved, on_hand - reserved)
    return figures


def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("No such product."))
    return product


def _refuse_taken(field: str, value: str | None, except_id: int | None) -> None:
    if not value:
        return
    column = getattr(Product, field)
    existing = db.session.scalar(select(Product).where(column == value))
    if existing is not None and existing.id != except_id:
        label = _("SKU") if field == "sku" else _("barcode")
        raise Duplicate(_("The %(label)s %(value)s is already used by %(name)s.", label=label,
                          value=value, name=existing.name),
                        existing_id=existing.id, field=field,
                        fields={field: _("Already used by %(name)s.", name=existing.name)})


def _check_supplier(supplier_id: int | None) -> None:
    if supplier_id is None:
        return
    supplier = db.session.get(Partner, supplier_id)
    if supplier is None or not supplier.is_supplier:
        raise ValidationError(fields={"default_supplier_id": _("Not a supplier.")})


def _save(product: Product, values: dict) -> Product:
    _refuse_taken("sku", values.get("sku"), product.id)
    _refuse_taken("barcode", values.get("barcode"), product.id)
    _check_supplier(values.get("default_supplier_id"))
    for key, value in values.items():
        setattr(product, key, value)
    db.session.add(product)
    flush_or_duplicate(_("The SKU or barcode is already used."))
    return product


@transactional
def create_product(data: dict) -> Product:
    values = clean(PRODUCT_SPEC, data)
    if values.get("tax_rate") is None:
        values["tax_rate"] = get_company().default_tax_rate
    return _save(Product(), values)


@transactional
def update_product(product_id: int, data: dict) -> Product:
    product = get_product(product_id)
    spec = {**PRODUCT_SPEC, "tax_rate": Number(places=2, min_value=0, max_value=100,
                                               required=True)}
    return _save(product, clean(spec, data, partial=True))


def product_query(q: str | None = None, *, type_: str | None = None,
                  active: bool | None = None, supplier_id: int | None = None,
                  sku: str | None = None, barcode: str | None = None) -> Select:
    """The product list every page, export and API shares (newest first)."""
    stmt = search(select(Product).order_by(Product.id.desc()), q,
                  [Product.sku, Product.barcode, Product.name])
    if type_:
        stmt = stmt.where(Product.type == type_)
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    if supplier_id is not None:
        stmt = stmt.where(Product.default_supplier_id == supplier_id)
    if sku:
        stmt = stmt.where(Product.sku == sku)
    if barcode:
        stmt = stmt.where(Product.barcode == barcode)
    return stmt


def products_of_lines(lines: list[dict], errors: dict[str, str]) -> dict[int, Product]:
    """{id: product} for the cleaned lines' `product_id`s, in one query. A line naming an
    unknown or archived product gets its error in `errors` (`lines.N.product_id`): an
    archived product can no longer be sold or quoted."""
    ids = {line["product_id"] for line in lines if line.get("product_id")}
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(ids)))} if ids else {}
    for index, line in enumerate(lines):
        if not line.get("product_id"):
            continue
        product = products.get(line["product_id"])
        if product is None:
            errors[f"lines.{index}.product_id"] = _("No such product.")
        elif not product.active:
            errors[f"lines.{index}.product_id"] = _("%(sku)s is archived and cannot be sold.",
                                                    sku=product.sku)
    return products
