import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relcal import dates  # dates.add_days, so that before it existed only its own tests failed
from relcal.dates import FORMS, add_months, parse_date, parse_iso, parse_today
from relcal.errors import UsageError
from relcal.model import PartialDate

WED = date(2021, 1, 20)  # a Wednesday


@pytest.mark.parametrize("text, expected", [
    ("2021-01-29", PartialDate(2021, 1, 29)),
    ("2021-02", PartialDate(2021, 2)),
    ("2021", PartialDate(2021)),
    ("today", PartialDate(2021, 1, 20)),
    ("Today", PartialDate(2021, 1, 20)),
    ("tomorrow", PartialDate(2021, 1, 21)),
    ("yesterday", PartialDate(2021, 1, 19)),
    ("+2w", PartialDate(2021, 2, 3)),
    ("-3d", PartialDate(2021, 1, 17)),
    ("+1m", PartialDate(2021, 2, 20)),
    ("+1y", PartialDate(2022, 1, 20)),
    ("friday", PartialDate(2021, 1, 22)),
    ("fri", PartialDate(2021, 1, 22)),
    ("next friday", PartialDate(2021, 1, 22)),
    ("next wednesday", PartialDate(2021, 1, 27)),
    ("wednesday", PartialDate(2021, 1, 20)),
    ("last friday", PartialDate(2021, 1, 15)),
    ("jan 29", PartialDate(2021, 1, 29)),
    ("29 January 2021", PartialDate(2021, 1, 29)),
    ("Feb 5, 2021", PartialDate(2021, 2, 5)),
    ("march 2021", PartialDate(2021, 3)),
    ("  2021-01-29  ", PartialDate(2021, 1, 29)),
])
def test_dates_people_type(text, expected):
    assert parse_date(text, today=WED, option="--from") == expected


@pytest.mark.parametrize("text", ["banana", "", "   ", "next", "+2x", "2021-13", "99/99/99"])
def test_a_string_that_is_not_a_date_is_a_usage_error_listing_the_forms(text):
    with pytest.raises(UsageError) as info:
        parse_date(text, today=WED, option="--from")
    message = str(info.value)
    assert message.startswith("--from: ")
    assert info.value.exit_code == 2
    if "does not exist" not in message and "no month" not in message:
        assert FORMS in message


def test_an_iso_date_that_does_not_exist_says_why():
    with pytest.raises(UsageError, match=r"'2021-02-30' does not exist \(February 2021 has 28 days\)"):
        parse_date("2021-02-30", today=WED, option="--to")


def test_parse_iso_shapes():
    assert parse_iso("2021-01-29") == PartialDate(2021, 1, 29)
    assert parse_iso("2021-1-29") is None
    assert parse_iso("jan 29") is None
    with pytest.raises(ValueError, match="no month 13"):
        parse_iso("2021-13")
    with pytest.raises(ValueError, match="no year 0"):
        parse_iso("0000")


def test_add_months_clamps_to_the_months_length():
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2021, 12, 15), 1) == date(2022, 1, 15)
    assert add_months(date(2021, 1, 15), -1) == date(2020, 12, 15)


def test_today_defaults_to_the_local_date_and_takes_any_form():
    assert parse_today(None) == date.today()
    assert parse_today("2021-01-20") == WED
    assert parse_today("2021-02") == date(2021, 2, 1)
    with pytest.raises(UsageError, match="--today"):
        parse_today("someday")


# --- One reader, one set of rules: every typed date is read whole and lies in 1800-2200 ---

NOV = date(2021, 11, 20)  # November has 30 days
RANGE = r"is outside the years relcal handles \(1800-2200\)$"


def _error(text, today=WED, option="--from"):
    with pytest.raises(UsageError) as info:
        parse_date(text, today=today, option=option)
    assert info.value.exit_code == 2
    message = str(info.value)
    assert message.startswith(f"{option}: {text!r} ") and "\n" not in message
    return message


@pytest.mark.parametrize("text", ["1800", "1800-01", "1800-01-01", "2200", "2200-12", "2200-12-31",
                                  "jan 1 1800", "dec 31 2200", "december 2200"])
def test_the_years_1800_to_2200_are_accepted(text):
    found = parse_date(text, today=WED, option="--from")
    assert 1800 <= found.year <= 2200
    assert found.end == date(2201, 1, 1) or found.end.year <= 2200  # --to's exclusive end does not overflow


@pytest.mark.parametrize("text", ["1799", "2201", "1799-12", "1799-12-31", "2201-01-01", "9999-12-31", "0001",
                                  "+9999y", "-3000y", "+99999d", "+4000000d", "-999999w", "+5000m",
                                  "+99999999999999999999d", "jan 29 2201", "29 Dec 1799",
                                  "march 9999"])
def test_a_date_outside_1800_to_2200_is_a_usage_error_naming_the_option(text):
    assert re.search(RANGE, _error(text))


@pytest.mark.parametrize("text, today", [
    ("tomorrow", date(2200, 12, 31)), ("+1d", date(2200, 12, 31)), ("+1m", date(2200, 12, 15)),
    ("+1y", date(2200, 1, 1)), ("next friday", date(2200, 12, 31)), ("yesterday", date(1800, 1, 1)),
    ("-1m", date(1800, 1, 31)), ("last friday", date(1800, 1, 1)), ("today", date(9999, 12, 31)),
    ("+1d", date.max), ("-1d", date.min), ("friday", date.max), ("jan 29", date(9999, 12, 31)),
])
def test_a_date_computed_outside_the_range_is_a_usage_error(text, today):
    assert re.search(RANGE, _error(text, today=today))


def test_an_offset_too_long_for_int_is_out_of_range_too():
    assert re.search(RANGE, _error("+" + "9" * 5000 + "d"))  # int() refuses more than 4300 digits
    assert parse_date("+" + "0" * 5000 + "1d", today=WED, option="--from") == PartialDate(2021, 1, 21)


def test_the_range_message_is_exact():
    with pytest.raises(UsageError) as info:
        parse_date("+9999y", today=WED, option="--from")
    assert str(info.value) == "--from: '+9999y' is outside the years relcal handles (1800-2200)"


@pytest.mark.parametrize("text", ["9999-12-31", "2201", "1799-12-31", "+9999y", "-3000y"])
def test_today_must_lie_in_the_range_too(text):
    with pytest.raises(UsageError, match=r"^--today: .*" + RANGE):
        parse_today(text)


def test_today_takes_the_range_limits():
    assert parse_today("1800-01-01") == date(1800, 1, 1)
    assert parse_today("2200-12-31") == date(2200, 12, 31)


def test_add_days_moves_a_day():
    assert dates.add_days(WED, 30, "--days") == date(2021, 2, 19)
    assert dates.add_days(WED, 0, "--days") == WED
    assert dates.add_days(WED, -20, "--days") == date(2020, 12, 31)
    assert dates.add_days(date(2200, 12, 1), 30, "--days") == date(2200, 12, 31)
    assert dates.add_days(date(1800, 1, 31), -30, "--days") == date(1800, 1, 1)


def test_add_days_outside_the_range_is_a_usage_error_naming_the_option():
    with pytest.raises(UsageError) as info:
        dates.add_days(WED, 4000000, "--days")
    assert str(info.value) == "--days: 2021-01-20 + 4000000 days is outside the years relcal handles (1800-2200)"
    assert info.value.exit_code == 2
    with pytest.raises(UsageError, match=r"^--days: 1800-01-01 - 1 days " + RANGE):
        dates.add_days(date(1800, 1, 1), -1, "--days")
    for day, days in [(date(2200, 12, 31), 1), (WED, 10 ** 30), (WED, -10 ** 30), (date.max, 1), (date.min, -1)]:
        with pytest.raises(UsageError, match=r"^--days: .*" + RANGE):  # never OverflowError
            dates.add_days(day, days, "--days")


@pytest.mark.parametrize("text", [
    "jan 32", "32 jan", "jan 0", "jan 29 21", "29 jan 99", "jan 99", "Feb 5, 21",  # no day 32; two-digit years
    "10am", "10 am", "10:30", "noon", "midnight", "jan 29 10am", "jan 29 10:30", "10pm friday",  # times of day
    "first", "twenty-ninth", "first of january", "the 29th", "jan first",  # ordinal words
    "jan 29 banana", "banana jan 29", "jan 29 of 2021", "friday jan 29", "jan feb", "jan 29 30", "29 jan 2021 2022",
    "2021 jan 29", "29 2021", "jan 2nd 3rd", "jan 2th", "jan 11st", "jan 29,", ", jan 29", "jan,,29", "jan. 29",
    "29/01/2021", "2021/01/29", "2021-1-29", "0", "00", "32", "123", "+2", "next", "next jan", "in 2 days",
    "2021-01-29t10:00", "٢٠٢١-٠١-٢٩",
])
def test_text_not_read_whole_and_unambiguously_is_refused_with_the_forms(text):
    message = _error(text)
    assert "is not a date" in message and message.endswith(FORMS)


@pytest.mark.parametrize("text, today, expected", [
    ("29", NOV, PartialDate(2021, 11, 29)),
    ("30", NOV, PartialDate(2021, 11, 30)),
    ("15", NOV, PartialDate(2021, 11, 15)),
    ("1", NOV, PartialDate(2021, 11, 1)),
    ("01", NOV, PartialDate(2021, 11, 1)),
    ("29th", NOV, PartialDate(2021, 11, 29)),
    ("31", WED, PartialDate(2021, 1, 31)),
    ("29", date(2020, 2, 10), PartialDate(2020, 2, 29)),
])
def test_a_bare_day_is_that_day_of_the_current_month(text, today, expected):
    assert parse_date(text, today=today, option="--from") == expected


@pytest.mark.parametrize("text, today, why", [
    ("31", NOV, "November 2021 has 30 days"),
    ("29", date(2021, 2, 10), "February 2021 has 28 days"),
    ("30", date(2020, 2, 10), "February 2020 has 29 days"),
    ("feb 30 2021", WED, "February 2021 has 28 days"),
    ("30 February 2021", WED, "February 2021 has 28 days"),
    ("feb 29 2021", WED, "February 2021 has 28 days"),
    ("feb 29", WED, "February 2021 has 28 days"),
    ("april 31", WED, "April 2021 has 30 days"),
    ("Nov 31st, 2030", WED, "November 2030 has 30 days"),
])
def test_a_day_the_month_does_not_have_says_how_many_it_has(text, today, why):
    message = _error(text, today=today, option="--to")
    assert message == f"--to: {text!r} does not exist ({why}); give a real calendar date"


@pytest.mark.parametrize("text, expected", [
    ("29 jan", PartialDate(2021, 1, 29)),
    ("Jan 29th, 2021", PartialDate(2021, 1, 29)),
    ("january 29, 2021", PartialDate(2021, 1, 29)),
    ("29 January, 2021", PartialDate(2021, 1, 29)),
    ("JAN 29 2021", PartialDate(2021, 1, 29)),
    ("jan,29", PartialDate(2021, 1, 29)),
    ("jan 05", PartialDate(2021, 1, 5)),
    ("1st jan 2022", PartialDate(2022, 1, 1)),
    ("jan 2nd", PartialDate(2021, 1, 2)),
    ("3rd jan", PartialDate(2021, 1, 3)),
    ("jan 11th", PartialDate(2021, 1, 11)),
    ("jan 12th", PartialDate(2021, 1, 12)),
    ("jan 13th", PartialDate(2021, 1, 13)),
    ("jan 21st", PartialDate(2021, 1, 21)),
    ("jan 22nd", PartialDate(2021, 1, 22)),
    ("jan 23rd", PartialDate(2021, 1, 23)),
    ("aug 31st", PartialDate(2021, 8, 31)),
    ("feb 29 2020", PartialDate(2020, 2, 29)),
    ("jan 21", PartialDate(2021, 1, 21)),  # a day, not the year 2021
    ("march", PartialDate(2021, 3)),
    ("Mar", PartialDate(2021, 3)),
    ("may", PartialDate(2021, 5)),
    ("SEPTEMBER 2030", PartialDate(2030, 9)),
    ("dec, 2021", PartialDate(2021, 12)),
    ("  jan   29  ", PartialDate(2021, 1, 29)),
])
def test_month_names_with_an_optional_day_and_year(text, expected):
    assert parse_date(text, today=WED, option="--from") == expected


def test_every_form_the_help_lists_is_accepted():
    forms = [f.split(" (")[0].strip("'") for f in FORMS.replace(" or ", ", ").split(", ")]
    assert len(forms) > 15
    for form in forms:
        parse_date(form, today=WED, option="--from")


def test_dateutils_parser_no_longer_decides(monkeypatch):
    from dateutil import parser

    def guess(*args, **kwargs):
        raise AssertionError("dateutil.parser.parse was asked")

    monkeypatch.setattr(parser, "parse", guess)
    assert parse_date("jan 29 2021", today=WED, option="--from") == PartialDate(2021, 1, 29)
    assert parse_date("march", today=WED, option="--from") == PartialDate(2021, 3)
    _error("banana")


_WORDS = st.sampled_from(["jan", "January", "feb", "sept", "may", "Dec", "friday", "fri", "next", "last", "this",
                          "today", "tomorrow", "yesterday", "am", "pm", "noon", "of", "the", "first", "st", "th",
                          ",", ":", "-", "+", "/", ".", " ", "banana"])
_NUMBERS = st.integers(-10 ** 6, 10 ** 6).map(str) | st.integers(0, 99).map(lambda n: f"{n:02d}") | st.sampled_from(
    ["29th", "1st", "2nd", "3rd", "2th", "0000", "1799", "1800", "2200", "2201", "9999", "10am", "10:30"])
_OFFSETS = st.builds(lambda sign, n, unit: f"{sign}{n}{unit}", st.sampled_from("+-"),
                     st.integers(0, 10 ** 12), st.sampled_from("dwmyx"))
_TEXT = (st.lists(_WORDS | _NUMBERS | _OFFSETS, max_size=5).map(" ".join)
         | st.lists(_WORDS | _NUMBERS, max_size=5).map("".join)
         | st.text(max_size=20)
         | st.dates().map(str))


@settings(max_examples=500, deadline=None)
@given(text=_TEXT, today=st.dates(date(1800, 1, 1), date(2200, 12, 31)))
def test_any_text_is_a_date_in_range_or_a_usage_error(text, today):
    try:
        found = parse_date(text, today=today, option="--from")
    except UsageError as exc:
        assert str(exc).startswith("--from: ") and "\n" not in str(exc)
        return
    assert isinstance(found, PartialDate)
    assert date(1800, 1, 1) <= found.first_day <= found.last_day <= date(2200, 12, 31)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(), days=st.integers(-10 ** 40, 10 ** 40) | st.integers(-10 ** 6, 10 ** 6))
def test_add_days_is_a_day_in_range_or_a_usage_error(day, days):
    try:
        found = dates.add_days(day, days, "--days")
    except UsageError as exc:
        assert str(exc).startswith("--days: ")
        return
    assert date(1800, 1, 1) <= found <= date(2200, 12, 31)
    assert (found - day).days == days
