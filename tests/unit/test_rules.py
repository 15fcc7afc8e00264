"""The domain rules that need no database, checked on transient objects (cosmicpython's fast
unit tests beside the HTTP ones): the sales order's allowed actions, delivery state, invoice
status and credit position, the invoice's and the opportunity's allowed actions, and line
figures. No application, no session: each test runs in microseconds."""
from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from crm.pipeline import rules as opportunity_rules
from erp.invoicing import rules as invoice_rules
from erp.sales import rules as sales_rules
from shared.money import document_totals, line_figures


def user(*roles):
    return SimpleNamespace(roles=list(roles))


def line(quantity="10", reserved="0", delivered="0", invoiced="0", service=False):
    """A sales order line with the quantities the rules read (the model's own properties)."""
    from erp.sales.models import SalesOrderLine

    return SalesOrderLine(quantity=D(quantity), reserved_qty=D(reserved),
                          delivered_qty=D(delivered), invoiced_qty=D(invoiced),
                          product_type="service" if service else "stockable")


def order(state, *lines):
    return SimpleNamespace(state=state, lines=list(lines))


# --------------------------------------------------------------------------- sales orders


@pytest.mark.parametrize("lines, expected", [
    ([line(delivered="0")], "confirmed"),
    ([line(delivered="4")], "partially_delivered"),
    ([line(delivered="10"), line(service=True)], "delivered"),  # services are never delivered
    ([line(delivered="10"), line(delivered="0")], "partially_delivered"),
])
def test_delivery_state_follows_the_goods_lines(lines, expected):
    assert sales_rules.delivery_state(order("confirmed", *lines)) == expected


def test_drafts_and_cancelled_orders_keep_their_state():
    assert sales_rules.delivery_state(order("draft", line(delivered="3"))) == "draft"
    assert sales_rules.delivery_state(order("cancelled", line())) == "cancelled"


@pytest.mark.parametrize("state, lines, expected", [
    ("draft", [line(delivered="10")], "nothing"),
    ("confirmed", [line()], "nothing"),  # nothing delivered: nothing to invoice yet
    ("confirmed", [line(service=True)], "to_invoice"),  # a service invoices as ordered
    ("partially_delivered", [line(delivered="4")], "to_invoice"),
    ("partially_delivered", [line(delivered="4", invoiced="4")], "partially_invoiced"),
    ("delivered", [line(delivered="10", invoiced="10")], "invoiced"),
    ("delivered", [line(delivered="10", invoiced="4")], "to_invoice"),
])
def test_invoice_status(state, lines, expected):
    assert sales_rules.invoice_status(order(state, *lines)) == expected


def test_a_salesperson_may_edit_confirm_and_cancel_a_quotation_with_lines():
    quotation = order("draft", line())
    assert sales_rules.allowed_actions(quotation, user("sales")) == {"edit", "confirm",
                                                                     "cancel"}
    assert sales_rules.allowed_actions(order("draft"), user("sales")) == {"edit", "cancel"}


def test_finance_may_only_confirm_a_quotation_past_its_credit_limit():
    assert sales_rules.allowed_actions(order("draft", line()), user("finance")) == \
        {"override_credit"}


def test_a_confirmed_order_offers_what_its_lines_leave_to_do():
    waiting = order("confirmed", line(reserved="6"))
    assert sales_rules.allowed_actions(waiting, user("warehouse")) == {"reserve", "deliver"}
    assert sales_rules.allowed_actions(waiting, user("sales")) == {"reserve", "cancel"}
    part = order("partially_delivered", line(reserved="6", delivered="4"))
    assert sales_rules.allowed_actions(part, user("finance")) == {"invoice"}
    assert "cancel" not in sales_rules.allowed_actions(part, user("admin"))
    done = order("delivered", line(delivered="10", invoiced="10"))
    assert sales_rules.allowed_actions(done, user("admin")) == frozenset()
    assert sales_rules.allowed_actions(order("cancelled", line()), user("admin")) == set()


def test_a_user_without_roles_may_do_nothing():
    assert sales_rules.allowed_actions(order("draft", line()), user()) == frozenset()
    assert sales_rules.allowed_actions(order("draft", line()), None) == frozenset()


@pytest.mark.parametrize("receivable, total, limit, exceeded", [
    ("600.00", "400.00", "1000.00", False),  # at the limit is within it
    ("600.00", "400.01", "1000.00", True),
    ("0.00", "5000000.00", None, False),  # no limit, never exceeded
])
def test_credit_position(receivable, total, limit, exceeded):
    position = sales_rules.CreditPosition(D(receivable), D(total), limit and D(limit))
    assert position.exposure == D(receivable) + D(total)
    assert position.exceeded is exceeded
    assert position.as_dict()["exceeded"] is exceeded


# --------------------------------------------------------------------------- invoices


def invoice(state, kind="customer_invoice", due="100.00"):
    return SimpleNamespace(state=state, kind=kind, amount_due=D(due),
                           is_credit_note=kind.endswith("credit_note"))


@pytest.mark.parametrize("doc, expected", [
    (invoice("draft"), {"edit", "post", "cancel"}),
    (invoice("posted"), {"credit", "pay"}),
    (invoice("posted", kind="customer_credit_note"), set()),
    (invoice("paid", due="0.00"), set()),
    (invoice("cancelled"), set()),
])
def test_invoice_actions_for_finance(doc, expected):
    assert invoice_rules.allowed_actions(doc, user("finance")) == expected


def test_sales_and_support_only_read_invoices():
    for role in ("sales", "support"):
        assert invoice_rules.allowed_actions(invoice("draft"), user(role)) == frozenset()


# --------------------------------------------------------------------------- opportunities


def opportunity(status, partner_id=7):
    return SimpleNamespace(status=status, partner_id=partner_id)


def test_an_open_opportunity_moves_wins_loses_and_quotes():
    assert opportunity_rules.allowed_actions(opportunity("open"), user("sales")) == \
        {"edit", "move", "win", "lose", "quote"}
    assert "quote" not in opportunity_rules.allowed_actions(opportunity("open", None),
                                                            user("sales"))


def test_a_closed_opportunity_is_only_edited_and_a_won_one_quoted_again():
    assert opportunity_rules.allowed_actions(opportunity("won"), user("sales")) == \
        {"edit", "quote"}
    assert opportunity_rules.allowed_actions(opportunity("lost"), user("sales")) == {"edit"}
    assert opportunity_rules.allowed_actions(opportunity("open"), user("finance")) == set()


# --------------------------------------------------------------------------- line figures


def test_line_figures_round_each_figure_once_half_up():
    figures = line_figures(D("3"), D("19.99"), D("10"), D("13"))
    assert (figures.subtotal, figures.tax, figures.total) == (D("53.97"), D("7.02"),
                                                              D("60.99"))
    totals = document_totals([figures, line_figures(D("1"), D("0.005"), D("0"), D("0"))])
    assert (totals.untaxed, totals.tax, totals.total) == (D("53.98"), D("7.02"), D("61.00"))
