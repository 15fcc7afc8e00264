"""A Hypothesis state machine drives random receipts, deliveries, transfers, counts,
reservations and reversals through the services, against the real database, and checks after
every step that on hand equals the ledger per location, reserved stays within on hand, and
both equal a simple model of what should have happened."""
from __future__ import annotations

from decimal import Decimal

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

from erp.inventory import counts, services
from erp.inventory.drift import find_day_drift, ledger_on_hand
from erp.inventory.models import StockBalance, StockByDay, StockCount, StockMove
from shared.db import transactional
from shared.errors import InsufficientStock, InvalidState
from shared.extensions import db
from shared.products import services as product_services

ZERO = Decimal("0.000")
quantities = st.integers(min_value=1, max_value=12).map(Decimal)


def build_machine(product_ids: list[int], internal: list[int], supplier: int, customer: int):
    class StockMachine(RuleBasedStateMachine):
        moves = Bundle("moves")

        def __init__(self) -> None:
            super().__init__()
            db.session.execute(delete(StockCount))
            db.session.execute(delete(StockMove))
            db.session.execute(delete(StockBalance))
            db.session.execute(delete(StockByDay))
            db.session.commit()
            self.on_hand: dict[tuple[int, int], Decimal] = {}
            self.reserved: dict[tuple[int, int], Decimal] = {}

        def free(self, key) -> Decimal:
            return self.on_hand.get(key, ZERO) - self.reserved.get(key, ZERO)

        def book(self, product_id, quantity, source, target):
            data = {"product_id": product_id, "quantity": str(quantity),
                    "from_location_id": source, "to_location_id": target}
            return services.record_move(data)

        def apply(self, product_id, quantity, source, target) -> None:
            if source in internal:
                self.on_hand[(product_id, source)] -= quantity
            if target in internal:
                key = (product_id, target)
                self.on_hand[key] = self.on_hand.get(key, ZERO) + quantity

        @rule(target=moves, product=st.sampled_from(product_ids),
              where=st.sampled_from(internal), quantity=quantities)
        def receive(self, product, where, quantity):
            move = self.book(product, quantity, supplier, where)
            self.apply(product, quantity, supplier, where)
            return move.id

        @rule(target=moves, product=st.sampled_from(product_ids),
              where=st.sampled_from(internal), quantity=quantities)
        def deliver(self, product, where, quantity):
            return self._take(product, quantity, where, customer)

        @rule(target=moves, product=st.sampled_from(product_ids), pair=st.permutations(internal),
              quantity=quantities)
        def transfer(self, product, pair, quantity):
            return self._take(product, quantity, pair[0], pair[1])

        def _take(self, product, quantity, source, target):
            if quantity > self.free((product, source)):
                with pytest.raises(InsufficientStock):
                    self.book(product, quantity, source, target)
                return None
            move = self.book(product, quantity, source, target)
            self.apply(product, quantity, source, target)
            return move.id

        @rule(product=st.sampled_from(product_ids), where=st.sampled_from(internal),
              counted=st.integers(min_value=0, max_value=30).map(Decimal))
        def count(self, product, where, counted):
            key = (product, where)
            data = {"location_id": where, "lines": [{"product_id": product,
                                                     "counted_qty": str(counted)}]}
            if counted < self.reserved.get(key, ZERO):
                with pytest.raises(InsufficientStock):
                    counts.confirm_count(data)
                return
            counts.confirm_count(data)
            self.on_hand[key] = counted

        @rule(product=st.sampled_from(product_ids), where=st.sampled_from(internal),
              quantity=quantities)
        def reserve(self, product, where, quantity):
            key = (product, where)
            got = transactional(services.reserve_available)(product, where, quantity)
            assert got == min(quantity, self.free(key)) if key in self.on_hand else got == 0
            self.reserved[key] = self.reserved.get(key, ZERO) + got

        @rule(product=st.sampled_from(product_ids), where=st.sampled_from(internal),
              quantity=quantities)
        def release(self, product, where, quantity):
            key = (product, where)
            if quantity > self.reserved.get(key, ZERO):
                with pytest.raises(InvalidState):
                    transactional(services.release_reserved)(product, where, quantity)
                return
            transactional(services.release_reserved)(product, where, quantity)
            self.reserved[key] -= quantity

        @rule(move_id=consumes(moves))
        def reverse(self, move_id):
            if move_id is None:
                return
            move = db.session.get(StockMove, move_id)
            product, quantity = move.product_id, move.quantity
            source, target = move.to_location_id, move.from_location_id
            if source in internal and quantity > self.free((product, source)):
                with pytest.raises(InsufficientStock):
                    services.reverse_move(move_id)
                return
            services.reverse_move(move_id)
            self.apply(product, quantity, source, target)

        @invariant()
        def balances_equal_ledger_and_model(self):
            balances = {(b.product_id, b.location_id): b
                        for b in db.session.scalars(select(StockBalance))}
            ledger = ledger_on_hand()
            for key in set(balances) | set(ledger) | set(self.on_hand):
                balance = balances.get(key)
                on_hand = balance.on_hand if balance else ZERO
                reserved = balance.reserved if balance else ZERO
                assert on_hand == ledger.get(key, ZERO) == self.on_hand.get(key, ZERO), key
                assert reserved == self.reserved.get(key, ZERO), key
                assert ZERO <= reserved <= on_hand, key
            assert find_day_drift() == []  # the stock per day moved with every move
            db.session.rollback()

    return StockMachine


def test_random_stock_operations_keep_balances_equal_to_the_ledger(ctx):
    product_ids = [product_services.create_product({"sku": sku, "name": sku}).id
                   for sku in ("A", "B")]
    second = services.create_location({"code": "WH2/Stock", "name": "Second"})
    internal = [services.main_stock().id, second.id]
    supplier = services.location_by_code("Suppliers").id
    customer = services.location_by_code("Customers").id
    machine = build_machine(product_ids, internal, supplier, customer)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None,
        suppress_health_check=list(HealthCheck)))
