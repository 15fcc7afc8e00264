"""The moving average (API.md) as a Hypothesis state machine: random purchase receipts (whole
and partial, at random prices and discounts), deliveries, transfers between two internal
locations and reversals of any of them go through the services against the real database;
after every step the product's cost price, the unit cost of every move and the on-hand figure
equal a reference computation written here from API.md's words alone."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select

from erp.inventory import services as inventory
from erp.inventory.drift import find_drift
from erp.inventory.models import StockBalance, StockByDay, StockMove
from erp.invoicing.models import Invoice
from erp.purchasing import services
from erp.purchasing.models import PurchaseOrder, Receipt
from shared.errors import InsufficientStock
from shared.extensions import db
from shared.partners import services as partner_services
from shared.products import services as product_services
from shared.products.models import Product

ZERO = Decimal("0")
quantities = st.integers(min_value=1, max_value=15).map(Decimal)
prices = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False,
                     allow_infinity=False)
discounts = st.sampled_from([Decimal("0"), Decimal("12.5"), Decimal("33.33"), Decimal("100")])


def reference_cost(on_hand: Decimal, cost: Decimal, quantity: Decimal,
                   unit_price: Decimal, discount: Decimal) -> Decimal:
    """API.md, literally: (on_hand x cost + qty x net price) / (on_hand + qty), the net price
    when on hand is zero or less; half up to 4 places."""
    net = unit_price * (100 - discount) / 100
    value = net if on_hand <= 0 else (on_hand * cost + quantity * net) / (on_hand + quantity)
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def build_machine(product_id: int, supplier_id: int, internal: list[int], vendor: int,
                  customer: int):
    class CostMachine(RuleBasedStateMachine):
        moves = Bundle("moves")
        orders = Bundle("orders")

        def __init__(self) -> None:
            super().__init__()
            for model in (Receipt, Invoice, PurchaseOrder, StockMove, StockBalance, StockByDay):
                db.session.execute(delete(model))
            db.session.execute(Product.__table__.update().where(Product.id == product_id)
                               .values(cost_price=Decimal("10.0000")))
            db.session.commit()
            self.cost = Decimal("10.0000")
            self.on_hand = {loc: ZERO for loc in internal}
            self.move_costs: dict[int, Decimal] = {}

        def total(self) -> Decimal:
            return sum(self.on_hand.values(), ZERO)

        @rule(target=orders, quantity=quantities, price=prices, discount=discounts)
        def order(self, quantity, price, discount):
            order = services.create_order({"supplier_id": supplier_id, "lines": [{
                "product_id": product_id, "quantity": str(quantity),
                "unit_price": str(price), "discount_pct": str(discount)}]})
            services.confirm_order(order.id)
            return order.id

        @rule(target=moves, order_id=st.one_of(st.none(), orders),
              part=st.integers(min_value=1, max_value=15).map(Decimal))
        def receive(self, order_id, part):
            if order_id is None:
                return None
            order = services.get_order(order_id)
            line = order.lines[0]
            outstanding = line.to_receive_qty
            if outstanding <= 0:
                return None
            quantity = min(part, outstanding)
            self.cost = reference_cost(self.total(), self.cost, quantity, line.unit_price,
                                       line.discount_pct)
            order = services.receive_order(order_id, {"lines": [
                {"line_id": line.id, "quantity": str(quantity)}]})
            receipt = services.receipts_of(order_id)[-1]
            move_id = receipt.lines[0].move_id
            self.on_hand[internal[0]] += quantity
            self.move_costs[move_id] = self.cost
            assert receipt.lines[0].unit_cost == self.cost
            return move_id

        @rule(target=moves, quantity=quantities, where=st.sampled_from(internal))
        def deliver(self, quantity, where):
            return self._book(quantity, where, customer)

        @rule(target=moves, quantity=quantities, pair=st.permutations(internal))
        def transfer(self, quantity, pair):
            return self._book(quantity, pair[0], pair[1])

        @rule(target=moves, quantity=quantities, where=st.sampled_from(internal))
        def loose_receipt(self, quantity, where):
            """A stock move from Suppliers outside a purchase order: not a receipt of
            API.md's, so the cost stays."""
            return self._book(quantity, vendor, where)

        def _book(self, quantity, source, target):
            data = {"product_id": product_id, "quantity": str(quantity),
                    "from_location_id": source, "to_location_id": target}
            if source in internal and quantity > self.on_hand[source]:
                with pytest.raises(InsufficientStock):
                    inventory.record_move(data)
                return None
            move = inventory.record_move(data)
            self._apply(quantity, source, target)
            self.move_costs[move.id] = self.cost
            return move.id

        def _apply(self, quantity, source, target):
            if source in internal:
                self.on_hand[source] -= quantity
            if target in internal:
                self.on_hand[target] += quantity

        @rule(move_id=consumes(moves))
        def reverse(self, move_id):
            if move_id is None:
                return
            move = db.session.get(StockMove, move_id)
            source, target, quantity = move.to_location_id, move.from_location_id, \
                move.quantity
            if source in internal and quantity > self.on_hand[source]:
                with pytest.raises(InsufficientStock):
                    inventory.reverse_move(move_id)
                return
            reversal = inventory.reverse_move(move_id)
            self._apply(quantity, source, target)
            self.move_costs[reversal.id] = self.cost

        @invariant()
        def cost_and_stock_match_the_reference(self):
            product = db.session.scalar(select(Product).where(Product.id == product_id)
                                        .execution_options(populate_existing=True))
            assert product.cost_price == self.cost
            stored = dict(db.session.execute(select(StockMove.id, StockMove.unit_cost)).all())
            assert stored == self.move_costs
            on_hand = dict(db.session.execute(
                select(StockBalance.location_id, StockBalance.on_hand)
                .where(StockBalance.product_id == product_id)).all())
            for location in internal:
                assert on_hand.get(location, ZERO) == self.on_hand[location], location
            assert find_drift() == []
            db.session.rollback()

    return CostMachine


@pytest.mark.slow
def test_the_moving_average_over_random_receipts_deliveries_and_reversals(ctx):
    supplier = partner_services.create_partner({"name": "Supplier", "is_supplier": True})
    product = product_services.create_product({"sku": "P", "name": "P",
                                                "cost_price": "10"})
    second = inventory.create_location({"code": "WH2/Stock", "name": "Second"})
    internal = [inventory.main_stock().id, second.id]
    vendor = inventory.location_by_code("Suppliers").id
    customer = inventory.location_by_code("Customers").id
    machine = build_machine(product.id, supplier.id, internal, vendor, customer)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None,
        suppress_health_check=list(HealthCheck)))


@pytest.mark.parametrize("on_hand, cost, quantity, price, discount, expected", [
    ("0", "5", "3", "7.50", "0", "7.5000"),
    ("-2", "5", "3", "7.50", "0", "7.5000"),  # nothing (or less) on hand: the net price
    ("10", "418", "4", "430", "0", "421.4286"),
    ("3", "1", "3", "0.01", "0", "0.5050"),
    ("1", "0.0001", "2", "0.00", "0", "0.0000"),  # 0.0000333.. rounds down
    ("1", "0.0002", "1", "0.00", "0", "0.0001"),  # 0.00010 exactly: half up stays
    ("2", "0.0001", "1", "0.00", "0", "0.0001"),  # 0.0000666.. rounds up
    ("3", "99.99", "1", "99.99", "12.5", "96.8653"),  # (299.97 + 87.49125) / 4
])
def test_the_moving_average_on_chosen_figures(on_hand, cost, quantity, price, discount,
                                              expected):
    from shared.money import moving_average

    net = Decimal(price) * (100 - Decimal(discount)) / 100
    assert moving_average(Decimal(on_hand), Decimal(cost), Decimal(quantity), net) == \
        reference_cost(Decimal(on_hand), Decimal(cost), Decimal(quantity), Decimal(price),
                       Decimal(discount))
    assert moving_average(Decimal(on_hand), Decimal(cost), Decimal(quantity), net) == \
        Decimal(expected)
