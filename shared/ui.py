"""The web UI shell: home page, language switch, locale choice and template helpers."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_currency, get_locale
from flask_login import current_user
from sqlalchemy import func, select

from shared import dashboards, formatting
from shared.company.models import COMPANY_ID, Company
from shared.extensions import db
from shared.http import safe_redirect
from shared.partners.models import Partner
from shared.permissions import can, public, signed_in
from shared.products.models import Product
from shared.registry import current_registry
from shared.users import services as user_services
from shared.users.forms import ROLE_LABELS, EmptyForm

bp = Blueprint("ui", __name__)


@dataclass(frozen=True)
class HomeCard:
    """One figure on the home page, linked to the list behind it."""

    label: str
    value: str
    url: str
    attention: bool = False  # shown in red: something waits to be done


def module_cards() -> list[HomeCard]:
    """The figures the areas add to the home page (wired in their init_app, so shared/ never
    imports them): each function returns the cards the current user may see."""
    return [card for cards in current_registry().home_cards for card in cards()]


def select_locale() -> str | None:
    """The signed-in user's language, else the one chosen on the sign-in page, else the
    browser's preference."""
    languages = ("en", "zh")
    if not has_request_context():
        return None  # the command line speaks the default language
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


@bp.get("/")
@signed_in
def home():
    counts = {}
    if can("partners", "read"):
        counts["customers"] = db.session.scalar(
            select(func.count()).select_from(Partner).where(Partner.is_customer.is_(True)))
        counts["suppliers"] = db.session.scalar(
            select(func.count()).select_from(Partner).where(Partner.is_supplier.is_(True)))
    if can("products", "read"):
        counts["products"] = db.session.scalar(
            select(func.count()).select_from(Product).where(Product.active.is_(True)))
    panels = [shown for panel in current_registry().home_panels
              if (shown := panel()) is not None]
    return render_template("shared/home.html", counts=counts, cards=module_cards(),
                           panels=panels, sections=dashboards.sections())


@bp.post("/language")
@public
def set_language():
    locale = request.form.get("locale", "")
    if EmptyForm().validate_on_submit() and locale in ("en", "zh"):
        if current_user.is_authenticated:
            user_services.set_locale(current_user.id, locale)
        session["locale"] = locale
    return safe_redirect(request.form.get("next"), url_for("ui.home"))


def company_currency() -> str:
    """The company's currency, read once per request."""
    if "company_currency" not in g:
        g.company_currency = db.session.scalar(
            select(Company.currency).where(Company.id == COMPANY_ID)) \
            or current_app.config["COMPANY_CURRENCY"]
    return g.company_currency


def money(value: Decimal | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    return format_currency(value, currency or company_currency())


def page_links(kind: str, record) -> list[tuple[str, str]]:
    """The (label, url) links other areas put on a `kind` page for `record` (wired in their
    init_app with `registry.add_page_link`), those the user may follow."""
    links = (link(record) for link in current_registry().page_links.get(kind, ()))
    return [link for link in links if link]


def role_names(roles: list[str]) -> str:
    return ", ".join(str(ROLE_LABELS[role]) for role in roles)


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(can=can, languages=app.config["LANGUAGES"],
                                 page_links=page_links,
                                 action_form=EmptyForm, get_locale=get_locale,
                                 role_names=role_names)
    app.jinja_env.filters.update(
        money=money, day=formatting.day, moment=formatting.moment, qty=formatting.qty,
        uom=formatting.uom,
        cost=lambda value, currency=None: formatting.cost(value,
                                                          currency or company_currency()))


def pdf_response(content: bytes, filename: str) -> Response:
    """A PDF shown in the browser, or saved with ?download=1 (pages and API alike)."""
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})
