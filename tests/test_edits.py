"""Round-trip edits of dataset files (edits.py): what changes, and everything that must not."""

from __future__ import annotations

import os
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from relcal.edits import DatasetFile, EditError
from relcal.errors import DataError
from relcal.model import ExternalIds, Film, Kind, PartialDate, Release, Status
from relcal.parse import load_file

SOURCE = "https://www.themoviedb.org/movie/7/releases"

HAND_WRITTEN = textwrap.dedent("""\
    # My films. Keep this comment.
    version: 1
    films:
      # first film
      - id: first
        title: "First"   # a trailing comment
        ids: {tmdb: 7}
        releases:
          - {date: 2021-01-29, kind: theatrical, region: US, source: "https://www.themoviedb.org/movie/7/releases"}
          # my own window, below
          - {date: 2021-02, kind: tv, region: GB, note: "my note", source: "https://example.org/tv"}
          - {date: 2021-03-01, kind: vod, region: US, source: "https://www.themoviedb.org/movie/7/releases"}

      - id: second
        title:    Second    # odd spacing stays
        releases:
          - date: 2021-05-01
            kind: festival
            venue: Somewhere

    # the end
    """)


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def test_moving_one_window_changes_only_its_lines(hand):
    dataset = DatasetFile.open(hand)
    film = dataset.films[0]
    moved = replace(film.releases[0], date=PartialDate(2021, 2, 26), history=(film.releases[0].date,))
    dataset.set_releases(0, [(0, moved), (1, film.releases[1]), (2, film.releases[2])])
    assert dataset.save()
    text = hand.read_text(encoding="utf-8")
    expected = HAND_WRITTEN.replace(
        '{date: 2021-01-29, kind: theatrical, region: US, source: "https://www.themoviedb.org/movie/7/releases"}',
        '{date: 2021-02-26, kind: theatrical, region: US, source: "https://www.themoviedb.org/movie/7/releases", '
        'history: [2021-01-29]}')
    assert text == expected
    assert load_file(hand).films[0].releases[0].history == (PartialDate(2021, 1, 29),)


def test_removing_and_adding_windows_keeps_the_comments_between_them(hand):
    dataset = DatasetFile.open(hand)
    film = dataset.films[0]
    new = Release(PartialDate(2021, 6, 1), Kind.STREAMING, "US", platform="Netflix", status=Status.ANNOUNCED,
                  source=SOURCE)
    dataset.set_releases(0, [(1, film.releases[1]), (2, film.releases[2]), (None, new)])
    dataset.save()
    text = hand.read_text(encoding="utf-8")
    assert "2021-01-29" not in text
    assert "# my own window, below" in text and '"my note"' in text
    assert ("      - {date: 2021-06-01, kind: streaming, region: US, platform: Netflix, status: announced, "
            "source: https://www.themoviedb.org/movie/7/releases}\n") in text
    # the second film, the head and the tail: byte for byte
    assert text.startswith("# My films. Keep this comment.\nversion: 1\nfilms:\n  # first film\n")
    assert text.endswith(HAND_WRITTEN[HAND_WRITTEN.index("\n  - id: second"):])
    assert [r.kind for r in load_file(hand).films[0].releases] == [Kind.TV, Kind.VOD, Kind.STREAMING]


def test_a_file_with_nothing_changed_is_not_written(hand):
    before = hand.stat().st_mtime_ns
    os.utime(hand, ns=(before - 10**9, before - 10**9))
    dataset = DatasetFile.open(hand)
    film = dataset.films[0]
    dataset.set_releases(0, [(i, r) for i, r in enumerate(film.releases)])
    assert dataset.save() is False
    assert hand.read_text(encoding="utf-8") == HAND_WRITTEN
    assert hand.stat().st_mtime_ns == before - 10**9


def test_appending_a_film_goes_after_the_last_film_and_before_the_file_tail(hand):
    dataset = DatasetFile.open(hand)
    dataset.append(Film(id="no", title="No", countries=("NO",), ids=ExternalIds(tmdb=8),
                        releases=(Release(PartialDate(2026, 12, 25), Kind.THEATRICAL, "NO", status=Status.ANNOUNCED,
                                          source="https://www.themoviedb.org/movie/8/releases"),)))
    dataset.save()
    text = hand.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN[:HAND_WRITTEN.index("\n# the end")])
    assert text.endswith(textwrap.dedent("""\

          - id: "no"
            title: "No"
            countries: ["NO"]
            ids: {tmdb: 8}
            releases:
              - {date: 2026-12-25, kind: theatrical, region: "NO", status: announced, source: https://www.themoviedb.org/movie/8/releases}

        # the end
        """))
    films = load_file(hand).films
    assert [f.id for f in films] == ["first", "second", "no"] and films[2].title == "No"


def test_a_new_file(tmp_path):
    path = tmp_path / "new.yaml"
    dataset = DatasetFile.create(path)
    dataset.append(Film(id="a", title="1917", original_title="Дорогие товарищи!", year=2020,
                        cast=("A, B", "C: D"), releases=()))
    dataset.save()
    assert path.read_text(encoding="utf-8") == textwrap.dedent("""\
        version: 1
        films:
          - id: a
            title: "1917"
            original_title: "Дорогие товарищи!"
            year: 2020
            cast: ['A, B', 'C: D']
            releases: []
        """)
    assert load_file(path).films[0].cast == ("A, B", "C: D")


def test_an_invalid_file_is_not_edited(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nfilms:\n  - id: x\n    titel: X\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown key 'titel'"):
        DatasetFile.open(path)


def test_a_flow_style_films_list_is_rewritten_whole_and_still_reads_back(tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text('version: 1\nfilms: [{id: a, title: A, releases: [{date: 2021-01-01, kind: vod, '
                    f'source: "{SOURCE}"}}]}}]\n', encoding="utf-8")
    dataset = DatasetFile.open(path)
    film = dataset.films[0]
    dataset.set_releases(0, [(0, replace(film.releases[0], date=PartialDate(2021, 1, 8),
                                         history=(PartialDate(2021, 1, 1),)))])
    dataset.save()
    assert load_file(path).films[0].releases[0].date == PartialDate(2021, 1, 8)


def test_an_edit_that_would_not_read_back_writes_nothing(hand, monkeypatch):
    dataset = DatasetFile.open(hand)
    film = dataset.films[0]
    dataset.set_releases(0, [(0, replace(film.releases[0], date=PartialDate(2021, 2, 26)))])
    dataset.films[0] = replace(dataset.films[0], title="Something else")  # what it claims it will hold is wrong
    with pytest.raises(EditError, match="would not read back"):
        dataset.save()
    assert hand.read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_film_that_cannot_be_cut_out_alone_takes_the_whole_document_round_trip(tmp_path):
    path = tmp_path / "anchors.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        films:
          - id: one
            title: One
            releases:
              - &shared {{date: 2021-01-01, kind: vod, region: US, source: "{SOURCE}"}}
          - id: two
            title: Two   # uses the window above
            releases:
              - *shared
        """), encoding="utf-8")
    dataset = DatasetFile.open(path)
    film = dataset.films[1]
    dataset.set_releases(1, [(0, replace(film.releases[0], date=PartialDate(2021, 1, 8),
                                         history=(PartialDate(2021, 1, 1),)))])
    dataset.save()
    one, two = load_file(path).films
    assert one.releases[0].date == PartialDate(2021, 1, 1)
    assert two.releases[0].date == PartialDate(2021, 1, 8) and two.releases[0].history == (PartialDate(2021, 1, 1),)
    assert "# uses the window above" in path.read_text(encoding="utf-8")


def test_only_the_changed_film_of_a_large_file_is_rewritten(tmp_path):
    path = tmp_path / "large.yaml"
    films = "".join(f"  - id: film-{n}\n    title: 'Film {n}'\n    releases:\n"
                    f"      - {{date: 2021-01-{1 + n % 28:02d}, kind: vod, source: \"{SOURCE}\"}}\n"
                    for n in range(2000))
    original = "version: 1\nfilms:\n" + films
    path.write_text(original, encoding="utf-8")
    dataset = DatasetFile.open(path)
    film = dataset.films[1234]
    dataset.set_releases(1234, [(0, replace(film.releases[0], status=Status.CANCELLED))])
    dataset.save()
    changed = [(a, b) for a, b in zip(original.splitlines(), path.read_text(encoding="utf-8").splitlines()) if a != b]
    assert changed == [('      - {date: 2021-01-03, kind: vod, source: "https://www.themoviedb.org/movie/7/releases"}',
                        '      - {date: 2021-01-03, kind: vod, status: cancelled, source: '
                        '"https://www.themoviedb.org/movie/7/releases"}')]
