"""SLA arithmetic, without a database: deadlines by priority in calendar hours (the default)
or in the support team's working hours (days, hours, holidays), and the breach rule.

    first_response_due = add_hours(created_at, policy.first_response_hours, calendar)
    resolution_due     = add_hours(created_at, policy.resolution_hours, calendar)

A ticket is breached when a deadline was met late (stored as `sla_breached` when it is met) or
when the deadline it must meet next (`next_deadline`) lies in the past. A deadline is met at
the minute it falls due: breached means strictly after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_POLICIES = {  # priority: (first response hours, resolution hours), API.md
    "urgent": (1, 4),
    "high": (4, 24),
    "normal": (8, 72),
    "low": (24, 120),
}
MIN_HOURS, MAX_HOURS = 1, 8760


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours in `zone`: ISO weekdays (Monday 1) from `start` to `end`, not on
    `holidays`."""

    zone: ZoneInfo
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def works_on(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in self.holidays


def add_hours(start: datetime, hours: int, calendar: WorkingCalendar | None = None
              ) -> datetime:
    """The moment `hours` after `start`: calendar hours without a calendar, else working
    hours of `calendar` (time outside them does not count). Returned in UTC."""
    if calendar is None:
        return (start + timedelta(hours=hours)).astimezone(UTC)
    if not calendar.days or calendar.start >= calendar.end:
        raise ValueError("a working calendar needs working days and hours")
    remaining = timedelta(hours=hours)
    local = start.astimezone(calendar.zone)
    day = local.date()
    for _ in range(3660):  # ten years of days: a policy holds at most 8760 hours
        if calendar.works_on(day):
            opens = datetime.combine(day, calendar.start, tzinfo=calendar.zone)
            closes = datetime.combine(day, calendar.end, tzinfo=calendar.zone)
            begin = max(opens, local) if local.date() == day else opens
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(UTC)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working hours in the next ten years")


def deadlines(created_at: datetime, first_response_hours: int, resolution_hours: int,
              calendar: WorkingCalendar | None = None) -> tuple[datetime, datetime]:
    return (add_hours(created_at, first_response_hours, calendar),
            add_hours(created_at, resolution_hours, calendar))


def next_deadline(finished: bool, first_response_at: datetime | None,
                  first_response_due: datetime, resolution_due: datetime) -> datetime | None:
    """The deadline an active ticket must meet next; None once it is resolved or closed."""
    if finished:
        return None
    return first_response_due if first_response_at is None else resolution_due


def met_late(first_response_at: datetime | None, first_response_due: datetime,
             resolved_at: datetime | None, resolution_due: datetime) -> bool:
    """Whether a deadline that has been met was met after it fell due."""
    return bool((first_response_at is not None and first_response_at > first_response_due)
                or (resolved_at is not None and resolved_at > resolution_due))


def is_breached(late: bool, deadline: datetime | None, now: datetime) -> bool:
    return late or (deadline is not None and now > deadline)

