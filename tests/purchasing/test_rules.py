"""The purchase order's rules without a database: allowed actions per role and state, the
receipt state and bill status the lines imply (erp/purchasing/rules.py), on plain objects."""
from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from erp.purchasing.models import PurchaseOrderLine
from erp.purchasing.rules import allowed_actions, bill_status, receipt_state


def user(*roles):
    return SimpleNamespace(roles=list(roles))


def line(quantity="10", received="0", billed="0", service=False):
    return PurchaseOrderLine(quantity=D(quantity), received_qty=D(received),
                             billed_qty=D(billed), product_type="service" if service
                             else "stockable", unit_price=D("1"), discount_pct=D("0"))


def order(state, *lines):
    return SimpleNamespace(state=state, lines=list(lines))


@pytest.mark.parametrize("state, lines, role, expected", [
    ("draft", [line()], "finance", {"edit", "confirm", "cancel"}),
    ("draft", [], "finance", {"edit", "cancel"}),
    ("draft", [line()], "warehouse", set()),
    ("draft", [line()], "sales", set()),
    ("confirmed", [line()], "warehouse", {"receive"}),
    ("confirmed", [line()], "finance", {"cancel"}),
    ("confirmed", [line(service=True)], "finance", {"bill", "cancel"}),
    ("partially_received", [line(received="4")], "finance", {"bill"}),
    ("partially_received", [line(received="4")], "warehouse", {"receive"}),
    ("partially_received", [line(received="4", billed="4")], "admin", {"receive"}),
    ("received", [line(received="10", billed="4")], "admin", {"bill"}),
    ("received", [line(received="10", billed="10")], "admin", set()),
    ("cancelled", [line()], "admin", set()),
])
def test_allowed_actions(state, lines, role, expected):
    assert allowed_actions(order(state, *lines), user(role)) == expected


@pytest.mark.parametrize("state, lines, expected", [
    ("draft", [line(received="3")], "draft"),
    ("cancelled", [line()], "cancelled"),
    ("confirmed", [line()], "confirmed"),
    ("confirmed", [line(received="3")], "partially_received"),
    ("confirmed", [line(received="10"), line(quantity="2", service=True)], "received"),
    ("confirmed", [line(quantity="2", service=True)], "confirmed"),
])
def test_receipt_state(state, lines, expected):
    assert receipt_state(order(state, *lines)) == expected


@pytest.mark.parametrize("state, lines, expected", [
    ("draft", [line()], "nothing"),
    ("confirmed", [line()], "nothing"),
    ("confirmed", [line(service=True)], "to_bill"),
    ("partially_received", [line(received="4")], "to_bill"),
    ("partially_received", [line(received="4", billed="4")], "partially_billed"),
    ("received", [line(received="10", billed="10")], "billed"),
])
def test_bill_status(state, lines, expected):
    assert bill_status(order(state, *lines)) == expected


def test_a_lines_quantities():
    goods = line(quantity="10", received="4", billed="1")
    assert (goods.to_receive_qty, goods.billable_qty, goods.to_bill_qty) == \
        (D("6"), D("4"), D("3"))
    service = line(quantity="2", service=True)
    assert (service.to_receive_qty, service.to_bill_qty) == (D("0"), D("2"))
    discounted = PurchaseOrderLine(unit_price=D("99.99"), discount_pct=D("12.5"))
    assert discounted.net_price == D("87.49125")
