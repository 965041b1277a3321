"""Dates as people type them on the command line.

ISO dates and the shorthand forms are handled here with the standard library;
python-dateutil's parser is imported only when the text is free-form ("jan 29"),
so most runs never pay for it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .errors import UsageError
from .model import PartialDate, days_in_month

FORMS = "2021-01-29, 2021-01, 2021, today, tomorrow, yesterday, +2w, -3d, +1m, friday, 'next friday' or 'jan 29'"

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_OFFSET = re.compile(r"([+-])\s*(\d{1,5})\s*([dwmy])")
_WEEKDAYS = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_WEEKDAY_ABBR = {name[:3]: i for name, i in _WEEKDAYS.items()}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_NAMED = {"today": 0, "tomorrow": 1, "yesterday": -1}


def parse_iso(text: str) -> PartialDate | None:
    """YYYY-MM-DD, YYYY-MM or YYYY, or None if the text has another shape.

    Raises ValueError for a date of the right shape that does not exist.
    """
    m = _ISO.fullmatch(text)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    if year < 1:  # type: ignore[operator]
        raise ValueError("there is no year 0")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"there is no month {month}")
    if day is not None:
        length = days_in_month(year, month)  # type: ignore[arg-type]
        if not 1 <= day <= length:
            raise ValueError(f"{_MONTH_NAMES[month - 1]} {year} has {length} days")  # type: ignore[operator]
    return PartialDate(year, month, day)  # type: ignore[arg-type]


def add_months(d: date, months: int) -> date:
    """d moved by whole months, the day clamped to the month's length (Jan 31 + 1m = Feb 28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, days_in_month(year, month)))


def _weekday(text: str, today: date) -> date | None:
    words = text.split()
    which = "this"
    if len(words) == 2 and words[0] in ("next", "last", "this"):
        which, words = words[0], words[1:]
    if len(words) != 1:
        return None
    target = _WEEKDAYS.get(words[0], _WEEKDAY_ABBR.get(words[0]))
    if target is None:
        return None
    ahead = (target - today.weekday()) % 7
    if which == "next":  # the first such day after today, as GNU date reads it
        return today + timedelta(days=ahead or 7)
    if which == "last":
        return today - timedelta(days=(today.weekday() - target) % 7 or 7)
    return today + timedelta(days=ahead)  # "friday": today if it is Friday


def _relative(text: str, today: date) -> date | None:
    if text in _NAMED:
        return today + timedelta(days=_NAMED[text])
    m = _OFFSET.fullmatch(text)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        n = sign * int(m.group(2))
        unit = m.group(3)
        if unit == "d":
            return today + timedelta(days=n)
        if unit == "w":
            return today + timedelta(weeks=n)
        return add_months(today, n if unit == "m" else 12 * n)
    return _weekday(text, today)


def _free_form(text: str, today: date) -> PartialDate | None:
    from dateutil import parser  # only here: it costs start-up time

    # Parse twice with different defaults: a part that changes with the default
    # was not in the text, which tells the precision ("jan 2021" is a month).
    try:
        a = parser.parse(text, default=datetime(today.year, 1, 1))
        b = parser.parse(text, default=datetime(today.year, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.day != b.day and a.month == b.month:
        return PartialDate(a.year, a.month)
    if a.month != b.month:
        # "29" alone: a day of the current month; "2021"-like text was caught as ISO.
        if a.day == b.day:
            if a.day > days_in_month(today.year, today.month):
                return None
            return PartialDate.from_date(date(today.year, today.month, a.day))
        return PartialDate(a.year)
    return PartialDate.from_date(a.date())


def parse_date(text: str, *, today: date, option: str) -> PartialDate:
    """What the user typed for OPTION, as a (possibly partial) date.

    A usage error (exit 2) that lists the accepted forms if it is not a date.
    """
    cleaned = " ".join(text.strip().lower().split())
    try:
        iso = parse_iso(cleaned)
    except ValueError as exc:
        raise UsageError(f"{option}: {text!r} does not exist ({exc}); give a real calendar date") from None
    if iso is not None:
        return iso
    if cleaned:
        day = _relative(cleaned, today)
        if day is not None:
            return PartialDate.from_date(day)
        found = _free_form(cleaned, today)
        if found is not None:
            return found
    raise UsageError(f"{option}: {text!r} is not a date; use one of {FORMS}")


def parse_today(text: str | None) -> date:
    """The day relcal takes as today: --today / RELCAL_TODAY, else the local date."""
    real = date.today()
    if text is None or not text.strip():
        return real
    return parse_date(text, today=real, option="--today").first_day
