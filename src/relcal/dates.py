"""Dates as people type them on the command line.

One reader with one set of rules (``parse_date``). It accepts exactly:

- ISO dates: 2021-01-29, 2021-01 (a month), 2021 (a year);
- days relative to today: today, tomorrow, yesterday, +2w, -3d, +1m, +1y,
  friday / fri (today if it is Friday), next friday, last friday;
- a bare day number, 1-31: "29" is the 29th of the current month;
- a month name (full or its 3-letter abbreviation, any case) with an optional
  day (1-31, optionally 1st/2nd/3rd/4th...) before or after it and an optional
  4-digit year, commas allowed: "jan 29", "29 jan", "Jan 29th, 2021",
  "29 January 2021", "march 2021", "march" (that month of the current year).

Everything else is refused with a usage error that lists the forms that work:
two-digit years, times of day, ordinal words, words left over. A day the month
does not have is refused with the month's length. Every date, typed or computed
from what was typed, must lie in the years MIN_YEAR-MAX_YEAR.

Month names come from python-dateutil's month table, imported only when the
text has a word to look up, so most runs never pay for it; dateutil's parser
never decides what the text means (it guesses: "jan 32" would be January 2032).
"""

from __future__ import annotations

import re
from datetime import date

from .errors import UsageError
from .model import PartialDate, days_in_month

MIN_YEAR, MAX_YEAR = 1800, 2200

FORMS = ("2021-01-29, 2021-01, 2021, today, tomorrow, yesterday, +2w, -3d, +1m, +1y, friday, 'next friday', "
         "'last friday', 29 (that day this month), 'jan 29', '29 jan', 'Jan 29th, 2021', 'march 2021' or march")

_RANGE = f"outside the years relcal handles ({MIN_YEAR}-{MAX_YEAR})"
_FIRST = date(MIN_YEAR, 1, 1).toordinal()
_LAST = date(MAX_YEAR, 12, 31).toordinal()

# re.ASCII throughout: "٢٠٢١" has \d digits that int() reads, but nobody types a date that way.
_ISO = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)
_OFFSET = re.compile(r"([+-])\s*([0-9]+)\s*([dwmy])", re.ASCII)
_SEPARATOR = re.compile(r"\s*,\s*|\s+")
_DAY = re.compile(r"(0?[1-9]|[12][0-9]|3[01])(st|nd|rd|th)?", re.ASCII)
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_WORD = re.compile(r"[a-z]+", re.ASCII)
# The orders a month (m), a day (d) and a year (y) may come in.
_SHAPES = frozenset({"d", "m", "my", "md", "dm", "mdy", "dmy"})

_WEEKDAYS = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_WEEKDAY_ABBR = {name[:3]: i for name, i in _WEEKDAYS.items()}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # in English, as relcal writes them (pictures, the page)
_NAMED = {"today": 0, "tomorrow": 1, "yesterday": -1}


class _OutOfRange(Exception):
    """A date typed, or computed from what was typed, is outside MIN_YEAR-MAX_YEAR."""


def parse_iso(text: str) -> PartialDate | None:
    """YYYY-MM-DD, YYYY-MM or YYYY, or None if the text has another shape.

    Raises ValueError for a date of the right shape that does not exist.
    (No range check: the dataset loader uses this too.)
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
        _check_day(year, month, day)  # type: ignore[arg-type]
    return PartialDate(year, month, day)  # type: ignore[arg-type]


def add_months(d: date, months: int) -> date:
    """d moved by whole months, the day clamped to the month's length (Jan 31 + 1m = Feb 28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, days_in_month(year, month)))


def add_days(day: date, days: int, option: str) -> date:
    """DAY moved by DAYS days (for --days N).

    A usage error naming OPTION if the result is outside MIN_YEAR-MAX_YEAR (or
    beyond what a date can hold).
    """
    try:
        return _shift(day, days)
    except _OutOfRange:
        raise UsageError(f"{option}: {day.isoformat()} {'-' if days < 0 else '+'} {abs(days)} days is {_RANGE}") from None


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _OutOfRange


def _check_day(year: int, month: int, day: int) -> None:
    length = days_in_month(year, month)
    if not 1 <= day <= length:
        raise ValueError(f"{MONTH_NAMES[month - 1]} {year} has {length} days")


def _shift(d: date, days: int) -> date:
    """d moved by DAYS days, in whole numbers first: no OverflowError however far."""
    ordinal = d.toordinal() + days
    if not _FIRST <= ordinal <= _LAST:
        raise _OutOfRange
    return date.fromordinal(ordinal)


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
        return _shift(today, ahead or 7)
    if which == "last":
        return _shift(today, -((today.weekday() - target) % 7 or 7))
    return _shift(today, ahead)  # "friday": today if it is Friday


def _relative(text: str, today: date) -> date | None:
    if text in _NAMED:
        return _shift(today, _NAMED[text])
    m = _OFFSET.fullmatch(text)
    if m:
        digits = m.group(2).lstrip("0") or "0"
        if len(digits) > 9:  # far beyond the range in any unit (and int() refuses 4300+ digits)
            raise _OutOfRange
        n = -int(digits) if m.group(1) == "-" else int(digits)
        unit = m.group(3)
        if unit in "dw":
            return _shift(today, 7 * n if unit == "w" else n)
        months = n if unit == "m" else 12 * n
        _check_year((today.year * 12 + today.month - 1 + months) // 12)
        return add_months(today, months)
    return _weekday(text, today)


def _month_number(word: str) -> int | None:
    """1-12 for a month's full name or 3-letter abbreviation (lowercase), else None."""
    from dateutil.parser import parserinfo  # only here: it costs start-up time

    for number, names in enumerate(parserinfo.MONTHS, 1):
        if word in (names[0].lower(), names[-1].lower()):  # not "sept": full or 3 letters
            return number
    return None


def _ordinal_suffix(day: int) -> str:
    if 11 <= day <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _free_form(text: str, today: date) -> PartialDate | None:
    """A bare day, or a month name with an optional day and 4-digit year; None for anything else.

    Each part must be read whole: a number is a day (1-31) or a 4-digit year,
    a word is a month name, and the parts must come in one of the _SHAPES.
    """
    parts = _SEPARATOR.split(text)
    if "" in parts:  # a comma at either end, or two in a row
        return None
    shape = ""
    year = month = day = None
    for part in parts:
        if m := _DAY.fullmatch(part):
            day = int(m.group(1))
            if m.group(2) and m.group(2) != _ordinal_suffix(day):  # "2th"
                return None
            shape += "d"
        elif _YEAR.fullmatch(part):
            year = int(part)
            shape += "y"
        elif _WORD.fullmatch(part) and (number := _month_number(part)) is not None:
            month = number
            shape += "m"
        else:
            return None
    if shape not in _SHAPES:
        return None
    if month is None:  # a bare day: of the current month
        month = today.month
    if year is None:
        year = today.year
    _check_year(year)
    if day is None:
        return PartialDate(year, month)
    _check_day(year, month, day)
    return PartialDate(year, month, day)


def _read(text: str, today: date) -> PartialDate | None:
    """TEXT (lowercase, single-spaced) as a date; None if it is not one.

    Raises ValueError for a date that does not exist, _OutOfRange for one
    outside the years relcal handles.
    """
    if not text:
        return None
    found = parse_iso(text)
    if found is None:
        day = _relative(text, today)
        found = PartialDate.from_date(day) if day is not None else _free_form(text, today)
    if found is not None:
        _check_year(found.year)
    return found


def parse_date(text: str, *, today: date, option: str) -> PartialDate:
    """What the user typed for OPTION, as a (possibly partial) date in MIN_YEAR-MAX_YEAR.

    A usage error (exit 2) that names OPTION otherwise: one that lists the
    accepted forms if it is not a date, says why if the date does not exist, or
    says that it is out of range.
    """
    cleaned = " ".join(text.strip().lower().split())
    try:
        found = _read(cleaned, today)
    except _OutOfRange:
        raise UsageError(f"{option}: {text!r} is {_RANGE}") from None
    except ValueError as exc:
        raise UsageError(f"{option}: {text!r} does not exist ({exc}); give a real calendar date") from None
    if found is None:
        raise UsageError(f"{option}: {text!r} is not a date; use one of {FORMS}")
    return found


def parse_today(text: str | None) -> date:
    """The day relcal takes as today: --today / RELCAL_TODAY, else the local date.

    Like every typed date it must lie in MIN_YEAR-MAX_YEAR (a usage error naming --today).
    """
    real = date.today()
    if text is None or not text.strip():
        return real
    return parse_date(text, today=real, option="--today").first_day
