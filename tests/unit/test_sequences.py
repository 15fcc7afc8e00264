"""Gapless numbers: a rollback gives the number back."""
from __future__ import annotations

import pytest

from shared.db import transactional
from shared.registry import current_registry
from shared.sequences.services import next_number


def test_numbers_follow_each_other_and_a_rollback_returns_the_number(ctx):
    current_registry().add_sequence("test_doc", "DOC/{year}/", padding=4, yearly=True)

    @transactional
    def take(year, fail=False):
        number = next_number("test_doc", year)
        if fail:
            raise RuntimeError("posting failed")
        return number

    assert take(2026) == "DOC/2026/0001"
    with pytest.raises(RuntimeError):
        take(2026, fail=True)
    assert take(2026) == "DOC/2026/0002"
    assert take(2027) == "DOC/2027/0001"


def test_next_number_refuses_to_run_outside_a_unit_of_work(ctx):
    with pytest.raises(RuntimeError):
        next_number("partner")
