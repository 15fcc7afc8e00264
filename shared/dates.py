"""The company's calendar: what day it is and where a day starts, in the company's time
zone (BABEL_DEFAULT_TIMEZONE). Timestamps are stored in UTC; dates that people type or see
("due today", "created on 22 November") are the company's."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from shared.db import utcnow


def company_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def company_today() -> date:
    return utcnow().astimezone(company_zone()).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the company's time zone."""
    return datetime.combine(day, time.min, tzinfo=company_zone())
