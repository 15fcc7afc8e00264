"""Property: for any lines, the document total is exactly the sum of the rounded line
subtotals plus the rounded line taxes, and the tax summary adds up to the same figures."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.money import document_totals, line_figures, round_money, tax_summary

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
lines = st.lists(st.tuples(quantities, prices, percents, st.sampled_from(
    [Decimal("0"), Decimal("6"), Decimal("9"), Decimal("13"), Decimal("13.00")]) | percents),
    min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_total_is_the_sum_of_rounded_line_figures(raw_lines):
    figures = [line_figures(q, p, d, t) for q, p, d, t in raw_lines]
    totals = document_totals(figures)
    assert totals.untaxed == sum((f.subtotal for f in figures), Decimal("0"))
    assert totals.tax == sum((f.tax for f in figures), Decimal("0"))
    assert totals.total == sum((f.subtotal + f.tax for f in figures), Decimal("0"))
    assert totals.total == totals.untaxed + totals.tax
    for (q, p, d, t), f in zip(raw_lines, figures, strict=True):
        assert f.subtotal == round_money(q * p * (100 - d) / 100)
        assert f.tax == round_money(f.subtotal * t / 100)
        assert f.subtotal.as_tuple().exponent == -2 and f.tax.as_tuple().exponent == -2
    summary = tax_summary(zip([t for *_, t in raw_lines], figures, strict=True))
    assert sum((base for _, base, _ in summary), Decimal("0")) == totals.untaxed
    assert sum((tax for _, _, tax in summary), Decimal("0")) == totals.tax


def test_half_up_rounding():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert line_figures(Decimal("3"), Decimal("0.35"), Decimal("10"), Decimal("13")).total == \
        Decimal("1.07")
