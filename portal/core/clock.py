"""The business calendar: dates are the seller's (TIMEZONE, Europe/Warsaw by default), times
are stored in UTC. Document numbers, monthly limits and due dates use the seller's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Warsaw"))


def local_today() -> date:
    return datetime.now(zone()).date()


def utc_start_of(day: date) -> datetime:
    """Midnight of the seller's day, as naive UTC like every stored time."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """A stored (naive UTC) time as the seller's calendar date."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).date()
