"""Invariants of the shipped dataset (data/films.yaml) that a slip in editing it breaks.

The file records, in a comment near its top, the day its facts were last
checked against public pages (``# Checked: YYYY-MM-DD``); the README says
the same. A window after that day cannot be known to have happened.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from relcal import load_catalog
from relcal.model import Status
from relcal.query import Query

from .conftest import ROOT, SHIPPED

TEXT = SHIPPED.read_text(encoding="utf-8")
CHECKED_LINE = re.search(r"^# Checked: (\d{4}-\d{2}-\d{2})\b", TEXT, re.M)
FILMS = load_catalog([SHIPPED], use_cache=False).films


def checked() -> date:
    assert CHECKED_LINE, "data/films.yaml must say when it was last checked: '# Checked: YYYY-MM-DD'"
    return date.fromisoformat(CHECKED_LINE.group(1))


def windows():
    for film in FILMS:
        for release in film.releases:
            yield film, release


def test_the_check_date_is_in_the_file_and_the_readme():
    day = checked().isoformat()
    assert day in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("film", FILMS, ids=lambda f: f.id)
def test_every_film_has_a_window(film):
    assert film.releases, f"{film.id} has no release window"


def test_every_window_names_an_https_page_as_its_source():
    bad = [(f.id, r.date.iso(), r.kind.value, r.source) for f, r in windows()
           if not r.source or urlsplit(r.source).scheme != "https" or not urlsplit(r.source).netloc]
    assert bad == []


def test_nothing_after_the_check_date_is_confirmed():
    day = checked()
    bad = [(f.id, r.date.iso(), r.kind.value, r.region) for f, r in windows()
           if r.date.first_day > day and r.status is Status.CONFIRMED]
    assert bad == []


def test_history_is_earlier_dates_never_the_current_one():
    """History lists the dates a window had before, in the order they were set (a
    film can move earlier as well as later, so that is not always the order of the
    dates themselves): each date once, and never the date the window has now."""
    for film, release in windows():
        assert release.date not in release.history, (film.id, release.identity)
        assert len(set(release.history)) == len(release.history), (film.id, release.identity)


def test_ids_are_unique_and_well_formed():
    film_ids = Counter(f.id for f in FILMS)
    assert [i for i, n in film_ids.items() if n > 1] == []
    for name in ("tmdb", "imdb", "wikidata"):
        values = Counter(getattr(f.ids, name) for f in FILMS if getattr(f.ids, name) is not None)
        assert [v for v, n in values.items() if n > 1] == [], name
    for film in FILMS:
        if film.ids.imdb:
            assert re.fullmatch(r"tt\d{7,}", film.ids.imdb)
        if film.ids.tmdb is not None:
            assert film.ids.tmdb > 0


def test_the_coming_weeks_are_not_empty():
    """'relcal upcoming' on the check day shows what is coming, not an empty table."""
    day = checked()
    rows = Query.build(start=day, end=day + timedelta(days=30)).rows(load_catalog([SHIPPED], use_cache=False))
    assert len(rows) >= 5


def test_the_story_the_project_started_from_is_still_there():
    rows = Query.build(films=["dear-comrades"]).rows(load_catalog([SHIPPED], use_cache=False))
    seen = {(r.release.date.iso(), r.release.kind.value, r.release.platform) for r in rows}
    assert {("2021-01-29", "virtual-cinema", None), ("2021-02-05", "vod", None),
            ("2021-02-05", "streaming", "Hulu")} <= seen


def test_the_shipped_file_reads_without_libyaml_too():
    # relcal falls back to PyYAML's pure-Python reader where libyaml is missing; that one
    # refuses a '?' in an unquoted URL inside { }, which libyaml lets through.
    import yaml

    document = yaml.load(SHIPPED.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert len(document["films"]) == len(load_catalog([SHIPPED]).films)
