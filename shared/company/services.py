"""Company settings: one row, created by init-db."""
from __future__ import annotations

import io
import warnings
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

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

LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}  # Pillow's format -> the served type
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000  # pixels
LOGO_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff")


def _damaged_image() -> str:
    return _("The image is damaged or is not really a PNG or JPEG; save it again from an "
             "image editor.")


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
    """Store `content` as the logo once Pillow has decoded it and written it again, so that
    only pixels are kept: nothing appended to or hidden in the file (HTML, a script, a
    comment, metadata) is ever served."""
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationError(fields={"logo": _("At most 1 MB.")})
    logo, mimetype = clean_image(content)
    company = get_company()
    company.logo = logo
    company.logo_mimetype = mimetype
    company.logo_version += 1


def clean_image(content: bytes) -> tuple[bytes, str]:
    """A PNG or JPEG decoded and encoded again (PNG stays PNG, JPEG stays JPEG, turned
    upright by its EXIF orientation) with its MIME type; a ValidationError on the `logo`
    field for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=tuple(LOGO_TYPES)) as image:
                kind = image.format
                if max(image.size) > LOGO_MAX_SIDE:
                    raise ValidationError(fields={"logo": _(
                        "At most %(n)d pixels wide and high.", n=LOGO_MAX_SIDE)})
                image.load()
                upright = ImageOps.exif_transpose(image)
                has_alpha = "A" in upright.getbands() or "transparency" in upright.info
                mode = "RGBA" if kind == "PNG" and has_alpha else "RGB"
                pixels = upright.convert(mode)
    except ValidationError:
        raise
    except Image.UnidentifiedImageError:
        if not content.startswith(LOGO_SIGNATURES):
            raise ValidationError(fields={"logo": _("A PNG or JPEG image, please.")}) from None
        raise ValidationError(fields={"logo": _damaged_image()}) from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ValidationError(fields={"logo": _damaged_image()}) from None
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())  # pixels only, no metadata
    out = io.BytesIO()
    if kind == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "JPEG", quality=90)
    return out.getvalue(), LOGO_TYPES[kind]


def _remove_logo(company: Company) -> None:
    company.logo = None
    company.logo_mimetype = None
    company.logo_version += 1
