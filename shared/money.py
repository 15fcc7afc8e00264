"""Money arithmetic: the one place where amounts are rounded (ARCHITECTURE.md rule 5).

Every figure is a Decimal rounded half up to 2 places per line; document totals are sums of
rounded line figures, so a total always equals what the lines printed on the document add up to.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(value: Decimal | int | str) -> Decimal:
    """Half up to 2 places (0.005 -> 0.01, -0.005 -> -0.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


COST_PLACES = Decimal("0.0001")


def round_cost(value: Decimal | int | str) -> Decimal:
    """A unit cost (the moving average): half up to 4 places."""
    return Decimal(value).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def round_places(value: Decimal | int | str, places: int) -> Decimal:
    """A ratio or average to `places` decimals, half up (a forecast's days of cover)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def moving_average(on_hand: Decimal, cost: Decimal, quantity: Decimal,
                   net_price: Decimal) -> Decimal:
    """The unit cost after receiving `quantity` at `net_price` onto `on_hand` units valued at
    `cost` (API.md): (on_hand x cost + quantity x net price) / (on_hand + quantity), or the
    net price when nothing (or less) is on hand; rounded half up to 4 places."""
    if on_hand <= 0:
        return round_cost(net_price)
    return round_cost((on_hand * cost + quantity * net_price) / (on_hand + quantity))


TENTH = Decimal("0.1")


def percentage(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole x 100, half up to 1 place (a margin or a win rate); None when whole is
    0 (the reports' `margin_pct`, `win_rate`)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded (a weighted forecast: expected x probability / 100)."""
    return round_money(amount * percent / HUNDRED)


@dataclass(frozen=True)
class LineFigures:
    subtotal: Decimal  # after discount, before tax
    tax: Decimal
    total: Decimal


def line_figures(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal,
                 tax_rate: Decimal) -> LineFigures:
    """A line's subtotal and tax, each rounded once; total is their sum."""
    subtotal = round_money(quantity * unit_price * (HUNDRED - discount_pct) / HUNDRED)
    tax = round_money(subtotal * tax_rate / HUNDRED)
    return LineFigures(subtotal, tax, subtotal + tax)


@dataclass(frozen=True)
class DocumentTotals:
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def document_totals(lines: Iterable[LineFigures]) -> DocumentTotals:
    """Sums of the rounded line figures (never re-rounded)."""
    untaxed = tax = ZERO
    for line in lines:
        untaxed += line.subtotal
        tax += line.tax
    return DocumentTotals(untaxed, tax, untaxed + tax)


def tax_summary(lines: Iterable[tuple[Decimal, LineFigures]]) -> list[tuple[Decimal, Decimal,
                                                                             Decimal]]:
    """[(rate, base, tax)] by rate, ascending: the sums of the lines' rounded figures."""
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, figures in lines:
        base, tax = by_rate.get(rate, (ZERO, ZERO))
        by_rate[rate] = (base + figures.subtotal, tax + figures.tax)
    return [(rate, base, tax) for rate, (base, tax) in sorted(by_rate.items())]


def price_lines(document: Any) -> DocumentTotals:
    """Write each line's figures and the document's totals on a priced document (sales
    order, invoice): lines with quantity, unit_price, discount_pct and tax_rate get subtotal,
    tax and total; the document gets untaxed_amount, tax_amount and total."""
    figures = []
    for line in document.lines:
        f = line_figures(Decimal(line.quantity), Decimal(line.unit_price),
                         Decimal(line.discount_pct), Decimal(line.tax_rate))
        line.subtotal, line.tax, line.total = f.subtotal, f.tax, f.total
        figures.append(f)
    totals = document_totals(figures)
    document.untaxed_amount, document.tax_amount, document.total = \
        totals.untaxed, totals.tax, totals.total
    return totals
