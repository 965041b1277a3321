"""relcal publish: the page and its calendars as static files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .serving import DATASET, EPOCH, write_dataset

TODAY = "2021-01-20"
ENV = {"SOURCE_DATE_EPOCH": EPOCH}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def hrefs(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "films.yaml")


def publish(run, data: Path, out: Path, *args: str):
    result = run("publish", "--out-dir", str(out), "--data", str(data), "--today", TODAY, *args, env=ENV)
    assert result.exit_code == 0, result.output
    return result


def export(run, data: Path, *args: str) -> bytes:
    result = run("export", "--data", str(data), "--today", TODAY, *args, env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_the_site_holds_the_page_and_one_calendar_per_platform_and_kind(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out)
    assert sorted(files(out)) == [".relcal-export.json", "index.html", "kind/streaming.ics", "kind/theatrical.ics",
                                  "kind/virtual-cinema.ics", "kind/vod.ics", "platform/b-odeon-b.ics",
                                  "platform/hulu.ics", "releases.ics"]
    assert (out / "releases.ics").read_bytes() == export(run, data)
    assert (out / "platform/hulu.ics").read_bytes() == export(run, data, "-p", "Hulu", "--name", "relcal releases — Hulu")
    assert (out / "kind/vod.ics").read_bytes() == export(run, data, "-k", "vod", "--name", "relcal releases — VOD")


def test_filters_and_options_apply_to_every_calendar(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out, "-r", "US", "--include-partial", "--remind", "1d", "--name", "US films")
    assert "platform/b-odeon-b.ics" not in files(out)  # the GB window's venue
    assert (out / "releases.ics").read_bytes() == export(run, data, "-r", "US", "--include-partial", "--remind", "1d",
                                                         "--name", "US films")
    assert (out / "kind/vod.ics").read_bytes() == export(run, data, "-r", "US", "-k", "vod", "--include-partial",
                                                         "--remind", "1d", "--name", "US films — VOD")
    assert "<title>US films</title>" in (out / "index.html").read_text(encoding="utf-8")


def test_links_on_the_page_are_relative_and_lead_to_the_files(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out, "--split-by", "film")
    links = hrefs(out / "index.html")
    assert "releases.ics" in links and "platform/hulu.ics" in links and "kind/vod.ics" in links
    assert "film/dear-comrades.ics" in links and "film/script-kiddie.ics" in links
    for link in links:
        assert not re.match(r"[a-z]+:|/", link), link
        assert (out / link).is_file(), link


def test_with_a_base_url_the_page_has_webcal_links_and_full_addresses(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out, "--base-url", "https://films.example/cal")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="webcal://films.example/cal/releases.ics"' in page
    assert 'href="webcal://films.example/cal/platform/hulu.ics"' in page
    assert "https://films.example/cal/releases.ics</code>" in page
    assert 'href="releases.ics"' in page  # the file itself stays relative


def test_split_files_are_exports_split_files(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out, "--split-by", "region")
    split = tmp_path / "split"
    result = run("export", "--data", str(data), "--today", TODAY, "--split-by", "region", "--out-dir", str(split),
                 env=ENV)
    assert result.exit_code == 0, result.output
    assert {f"region/{n}": b for n, b in files(split).items() if n.endswith(".ics")} == \
        {n: b for n, b in files(out).items() if n.startswith("region/")}


def test_two_runs_write_the_same_bytes(run, data, tmp_path):
    publish(run, data, tmp_path / "one", "--split-by", "film")
    publish(run, data, tmp_path / "two", "--split-by", "film")
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_the_page_escapes_the_datasets_text(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Sons" in page
    assert "&lt;b&gt;Odeon&lt;/b&gt;" in page


def test_the_legend_names_every_kind_as_the_table_does(run, data, tmp_path):
    from relcal.model import Kind

    out = tmp_path / "site"
    publish(run, data, out)
    page = (out / "index.html").read_text(encoding="utf-8")
    legend = page[page.index('<p class="legend">'):]
    legend = legend[:legend.index("</p>")]
    assert re.findall(r'<span class="ev k-([a-z-]+)">([^<]*)</span>', legend) == [(k.value, k.label) for k in Kind]


def test_the_month_names_are_declared_once():
    from relcal import dates, pictures, site

    assert site.MONTH_NAMES is dates.MONTH_NAMES and pictures.MONTH_NAMES is dates.MONTH_NAMES
    assert dates.MONTH_NAMES[1] == "February" and len(dates.MONTH_NAMES) == 12


def _option_help(text: str) -> dict[str, str]:
    """--help's options: each long name -> its help, on one line."""
    entries: list[str] = []
    for line in text.split("Options:", 1)[1].splitlines():
        if re.match(r"  -", line):
            entries.append(line)
        elif entries and line.startswith("   "):
            entries[-1] += " " + line
    found = {}
    for entry in entries:
        long = re.search(r"--[a-z-]+", entry).group()
        found[long] = " ".join(entry.split())
    return found


def test_publish_and_export_share_the_calendar_options(run):
    export_help = _option_help(run("export", "--help").stdout)
    publish_help = _option_help(run("publish", "--help").stdout)
    for option in ("--from", "--to", "--name", "--remind", "--include-partial"):
        assert publish_help[option] == export_help[option], option


@pytest.mark.parametrize("epoch", ["\u00b2", "\u0663", "1611100800\u0663"])
def test_source_date_epoch_takes_ascii_digits_only(run, data, tmp_path, epoch):
    out = tmp_path / "site"
    result = run("publish", "--out-dir", str(out), "--data", str(data), env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2
    assert "is not a number of seconds since 1970" in result.stderr
    assert not out.exists()


def test_a_new_run_replaces_the_set_and_keeps_files_relcal_did_not_write(run, data, tmp_path):
    out = tmp_path / "site"
    publish(run, data, out)
    (out / "CNAME").write_text("films.example\n")
    (out / "platform" / "notes.txt").write_text("mine\n")
    publish(run, data, out, "-r", "US")
    found = files(out)
    assert "platform/b-odeon-b.ics" not in found and "kind/theatrical.ics" not in found
    assert found["CNAME"] == b"films.example\n" and found["platform/notes.txt"] == b"mine\n"


def test_nothing_matching_publishes_empty_calendars_with_a_note(run, data, tmp_path):
    out = tmp_path / "site"
    result = publish(run, data, out, "-p", "Netflix")
    assert "no window matches these filters" in result.stderr
    assert sorted(files(out)) == [".relcal-export.json", "index.html", "releases.ics"]
    assert b"BEGIN:VEVENT" not in (out / "releases.ics").read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (("--split-by", "decade"), "--split-by: 'decade' is not known"),
    (("--base-url", "ftp://x/"), "--base-url: 'ftp://x/' is not the http(s) address of a folder"),
    (("-k", "vhs"), "--kind: 'vhs' is not known"),
    (("--remind", "soon"), "--remind: 'soon' is not a duration"),
])
def test_bad_options_are_usage_errors_and_write_nothing(run, data, tmp_path, args, message):
    out = tmp_path / "site"
    result = run("publish", "--out-dir", str(out), "--data", str(data), *args, env=ENV)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_an_invalid_dataset_is_exit_1_and_writes_nothing(run, tmp_path):
    bad = write_dataset(tmp_path / "films.yaml", DATASET.replace("2021-02-10", "2021-02-30"))
    out = tmp_path / "site"
    result = run("publish", "--out-dir", str(out), "--data", str(bad), env=ENV)
    assert result.exit_code == 1
    assert re.search(r"films\.yaml:\d+:\d+: ", result.stderr)
    assert not out.exists()


def test_the_wheel_carries_the_templates(tmp_path):
    """The page's templates are package data: an installed relcal can draw the page."""
    import os
    import shutil
    import subprocess
    import zipfile

    from .conftest import ROOT

    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the wheel (the README's set-up uses it)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "RELCAL_"))}
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True,
                   env=env, timeout=300)
    (wheel,) = tmp_path.glob("relcal-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"relcal/templates/page.html", "relcal/templates/style.css", "relcal/site.py", "relcal/serve.py"} <= names
