from datetime import date

import pytest

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
