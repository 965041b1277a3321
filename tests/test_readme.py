"""Every example in the README is re-run; the page fails the build when it drifts.

A ```console block holds commands (lines starting with "$ ") each followed by
its output. Commands run as in an 80-column terminal without colour; a command
piped into another (`| cut ...`, `| head ...`) runs as in a pipe, and the rest
of the pipeline runs in a real shell. `pytest --update-golden` rewrites the
outputs in place after a deliberate change.

The tour of add, sync and discover runs against the local fake of TMDB
(tests/tmdb_server.py), steered by HTML comments the page does not show:
``<!-- fake-tmdb: start -->`` starts it and runs what follows in an empty
folder, as on 2026-11-28; ``<!-- fake-tmdb: move ID REGION TYPE DATE -->``
plays a studio moving a release; ``<!-- fake-tmdb: stop -->`` ends it.
"""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from .conftest import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
STEP = re.compile(r"```console\n(.*?)```|<!-- fake-tmdb: (.*?) -->", re.S)


def examples(text):
    for block in BLOCK.finditer(text):
        body = block.group(1)
        commands = re.split(r"^(?=\$ )", body, flags=re.M)
        for chunk in commands:
            if chunk.startswith("$ "):
                command, _, output = chunk.partition("\n")
                yield command[2:], output


def run_example(run, command, extra_env=None):
    relcal_part, *pipeline = command.split(" | ")
    args = shlex.split(relcal_part)
    env = dict(extra_env or {})
    while args and re.fullmatch(r"[A-Z_]+=.*", args[0]):  # VAR=value relcal ...
        name, _, value = args.pop(0).partition("=")
        env[name] = value
    if args[:2] == ["uv", "run"]:
        args = args[2:]
    assert args[0] == "relcal", command
    if pipeline:
        result = run(*args[1:], env=env)
        assert "Traceback" not in result.stderr
        shell = subprocess.run(" | ".join(pipeline), shell=True, input=result.stdout, capture_output=True,
                               text=True, check=True)
        return (shell.stdout + result.stderr).replace("\r\n", "\n")
    result = run(*args[1:], tty=True, env=env)
    assert "Traceback" not in result.stderr
    # iCalendar lines end in CRLF; the page shows them as ordinary lines.
    return ((result.tty_stdout or result.stdout) + result.tty_stderr + result.stderr).replace("\r\n", "\n")


def test_readme_has_a_tour():
    commands = [c for c, _ in examples(README.read_text(encoding="utf-8"))]
    assert len(commands) >= 8


class FakeTmdbScene:
    """What the page's fake-tmdb comments ask for: the fake TMDB, its changes, a folder to work in."""

    def __init__(self, monkeypatch, folder):
        self.monkeypatch = monkeypatch
        self.folder = folder
        self.server = None
        self.env = {}

    def direct(self, text):
        from .tmdb_server import FakeTmdb, move_release

        verb, *args = text.split()
        if verb == "start":
            self.server = FakeTmdb().start()
            self.env = {"RELCAL_TMDB_URL": self.server.url, "TMDB_API_KEY": self.server.api_key,
                        "RELCAL_TODAY": "2026-11-28", "RELCAL_HOME": str(self.folder / "home")}
            self.monkeypatch.chdir(self.folder)
        elif verb == "move":
            film, region, kind_type, day = args
            self.server.set_film(int(film), move_release(self.server.films[int(film)], region, int(kind_type), day))
        elif verb == "stop":
            self.close()
        else:
            raise AssertionError(f"unknown fake-tmdb step {text!r}")

    def close(self):
        if self.server is not None:
            self.server.stop()
            self.server = None
            self.env = {}
            self.monkeypatch.chdir(ROOT)


def test_every_readme_example_prints_what_the_readme_shows(run, update_golden, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    failures = []
    scene = FakeTmdbScene(monkeypatch, tmp_path)

    def replace(step):
        if step.group(2) is not None:
            scene.direct(step.group(2))
            return step.group(0)
        parts = []
        for command, shown in examples(step.group(0)):
            actual = run_example(run, command, scene.env)
            if actual != shown:
                failures.append((command, shown, actual))
            parts.append(f"$ {command}\n{actual}")
        return "```console\n" + "".join(parts) + "```"

    try:
        new_text = STEP.sub(replace, text)
    finally:
        scene.close()
    if update_golden:
        README.write_text(new_text, encoding="utf-8")
        return
    for command, shown, actual in failures:
        pytest.fail(f"README example drifted: $ {command}\n--- shown ---\n{shown}--- actual ---\n{actual}")


def test_the_timeline_picture_in_the_readme_is_what_relcal_draws(run, tmp_path, update_golden):
    """docs/timeline.svg is made by the command the README gives next to it."""
    text = README.read_text(encoding="utf-8")
    (command,) = re.findall(r"^relcal timeline .*--format svg -o docs/timeline\.svg$", text, flags=re.M)
    assert "](docs/timeline.svg)" in text
    args = shlex.split(command)[1:]
    args[args.index("-o") + 1] = str(tmp_path / "timeline.svg")
    result = run(*args)
    assert result.exit_code == 0, result.output
    drawn = (tmp_path / "timeline.svg").read_bytes()
    committed = ROOT / "docs" / "timeline.svg"
    if update_golden:
        committed.write_bytes(drawn)
    assert committed.read_bytes() == drawn, "docs/timeline.svg is stale; run pytest --update-golden"
