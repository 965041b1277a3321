"""Every example in the README is re-run; the page fails the build when it drifts.

A ```console block holds commands (lines starting with "$ ") each followed by
its output. Commands run as in an 80-column terminal without colour; a command
piped into another (`| cut ...`, `| head ...`) runs as in a pipe, and the rest
of the pipeline runs in a real shell. `pytest --update-golden` rewrites the
outputs in place after a deliberate change.
"""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from .conftest import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples(text):
    for block in BLOCK.finditer(text):
        body = block.group(1)
        commands = re.split(r"^(?=\$ )", body, flags=re.M)
        for chunk in commands:
            if chunk.startswith("$ "):
                command, _, output = chunk.partition("\n")
                yield command[2:], output


def run_example(run, command):
    relcal_part, *pipeline = command.split(" | ")
    args = shlex.split(relcal_part)
    env = {}
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


def test_every_readme_example_prints_what_the_readme_shows(run, update_golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    failures = []

    def replace(block):
        parts = []
        for command, shown in examples(block.group(0)):
            actual = run_example(run, command)
            if actual != shown:
                failures.append((command, shown, actual))
            parts.append(f"$ {command}\n{actual}")
        return "```console\n" + "".join(parts) + "```"

    new_text = BLOCK.sub(replace, text)
    if update_golden:
        README.write_text(new_text, encoding="utf-8")
        return
    for command, shown, actual in failures:
        pytest.fail(f"README example drifted: $ {command}\n--- shown ---\n{shown}--- actual ---\n{actual}")
