"""SLA arithmetic without a database: calendar hours, working hours across a weekend and a
holiday, the boundary minute, and the breach rule."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.tickets import sla

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args, zone=SHANGHAI):
    return datetime(*args, tzinfo=zone)


def test_calendar_hours_by_priority_defaults():
    created = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # a Friday afternoon
    for priority, (first, resolution) in sla.DEFAULT_POLICIES.items():
        frd, rd = sla.deadlines(created, first, resolution)
        assert frd == created + timedelta(hours=first), priority
        assert rd == created + timedelta(hours=resolution), priority
    assert sla.DEFAULT_POLICIES == {"urgent": (1, 4), "high": (4, 24), "normal": (8, 72),
                                    "low": (24, 120)}


def test_working_hours_skip_the_weekend():
    calendar = sla.WorkingCalendar(zone=SHANGHAI)  # Mon-Fri 09:00-18:00
    friday_4pm = at(2026, 11, 27, 16, 0)
    # 2 hours left on Friday, 2 more on Monday from 09:00
    assert sla.add_hours(friday_4pm, 4, calendar) == at(2026, 11, 30, 11, 0).astimezone(UTC)
    # Created on Saturday: the clock starts on Monday at 09:00
    assert sla.add_hours(at(2026, 11, 28, 10, 0), 1, calendar) == \
        at(2026, 11, 30, 10, 0).astimezone(UTC)


def test_working_hours_skip_a_holiday():
    calendar = sla.WorkingCalendar(zone=SHANGHAI, holidays=frozenset({date(2026, 11, 30)}))
    friday_4pm = at(2026, 11, 27, 16, 0)
    assert sla.add_hours(friday_4pm, 4, calendar) == at(2026, 12, 1, 11, 0).astimezone(UTC)


def test_working_hours_before_opening_and_after_closing():
    calendar = sla.WorkingCalendar(zone=SHANGHAI, start=time(9), end=time(17))
    assert sla.add_hours(at(2026, 12, 1, 7, 0), 8, calendar) == \
        at(2026, 12, 1, 17, 0).astimezone(UTC)  # a whole day ends at closing, not later
    assert sla.add_hours(at(2026, 12, 1, 20, 0), 1, calendar) == \
        at(2026, 12, 2, 10, 0).astimezone(UTC)


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        sla.add_hours(at(2026, 12, 1, 9, 0), 1, sla.WorkingCalendar(zone=SHANGHAI,
                                                                    days=frozenset()))


def test_breach_is_strictly_after_the_deadline_minute():
    deadline = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert not sla.is_breached(False, deadline, deadline)
    assert not sla.is_breached(False, deadline, deadline - timedelta(minutes=1))
    assert sla.is_breached(False, deadline, deadline + timedelta(minutes=1))
    assert sla.is_breached(True, None, deadline)
    assert not sla.is_breached(False, None, deadline + timedelta(days=9))


def test_next_deadline_and_met_late():
    frd = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    rd = frd + timedelta(hours=64)
    assert sla.next_deadline(False, None, frd, rd) == frd
    assert sla.next_deadline(False, frd, frd, rd) == rd
    assert sla.next_deadline(True, frd, frd, rd) is None
    assert not sla.met_late(frd, frd, rd, rd)  # met at the minute: in time
    assert sla.met_late(frd + timedelta(minutes=1), frd, None, rd)
    assert sla.met_late(None, frd, rd + timedelta(seconds=1), rd)
