"""The ticket's status table and allowed actions per role, on plain objects (no database)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm.tickets.models import TICKET_STATUSES
from crm.tickets.rules import MOVE_ACTIONS, TRANSITIONS, allowed_actions, may_move

API_TABLE = {"new": {"open", "pending", "resolved", "closed"},
             "open": {"pending", "resolved", "closed"},
             "pending": {"open", "resolved", "closed"},
             "resolved": {"open", "closed"}, "closed": set()}


def test_the_table_is_api_md_s():
    assert {k: set(v) for k, v in TRANSITIONS.items()} == API_TABLE
    for current in TICKET_STATUSES:
        assert may_move(current, current)  # the same status is no move
        for target in TICKET_STATUSES:
            if target != current:
                assert may_move(current, target) == (target in API_TABLE[current])


@pytest.mark.parametrize("status", TICKET_STATUSES)
@pytest.mark.parametrize(("roles", "writes"), [
    (["support"], True), (["admin"], True), (["sales"], False), (["finance"], False),
    (["warehouse"], False)])
def test_allowed_actions_by_status_and_role(status, roles, writes):
    actions = allowed_actions(SimpleNamespace(status=status), SimpleNamespace(roles=roles))
    if not writes:
        assert actions == frozenset()
        return
    moves = {a for a, target in MOVE_ACTIONS.items() if target in API_TABLE[status]}
    assert actions == moves | {"edit", "comment", "assign", "link"}


def test_the_company_setting_offers_the_assignment_modes():
    from crm.tickets.models import ASSIGNMENT_MODES
    from shared.company.services import COMPANY_SPEC

    assert COMPANY_SPEC["ticket_assignment"].choices == ASSIGNMENT_MODES
