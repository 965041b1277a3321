"""Start-up of everyday commands, this tree against an earlier commit, in turns.

    uv run python bench/startup_ab.py [REV] [--runs N]

REV (default: the commit before the calendar, timeline, stats, serve and
publish commands were added) is checked out into a temporary git worktree;
both trees run with the same interpreter and packages, alternating run by
run so that the load of a shared machine falls on both alike. Prints the
median wall time of each command in each tree and their ratio (this / REV).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE_NEW_COMMANDS = "46244f0"
COMMANDS = {
    "upcoming --format tsv": ["upcoming", "--format", "tsv", "--today", "2021-01-20"],
    "upcoming --format table": ["upcoming", "--format", "table", "--today", "2021-01-20"],
    "films --format json": ["films", "--format", "json"],
    "export -f dear-comrades": ["export", "-f", "dear-comrades"],
}
RUN = "import sys; from relcal.launch import main; sys.argv = ['relcal', *sys.argv[1:]]; main()"


def timed(src: Path, args: list[str]) -> float:
    # bytecode caching on, as on a user's machine (some shells here set PYTHONDONTWRITEBYTECODE)
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUN, *args], env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", nargs="?", default=BEFORE_NEW_COMMANDS)
    parser.add_argument("--runs", type=int, default=21)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relcal-ab-") as folder:
        other = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), options.rev], check=True)
        try:
            trees = {"this": ROOT / "src", options.rev: other / "src"}
            print(f"| command | {options.rev} | this tree | this / {options.rev} |\n| --- | --- | --- | --- |")
            for src in trees.values():  # both compiled alike: a tree without .pyc files pays to compile
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
            for name, args in COMMANDS.items():
                for src in trees.values():  # warm-up: bytecode and the parse cache
                    timed(src, args)
                times: dict[str, list[float]] = {key: [] for key in trees}
                for n in range(options.runs):
                    for key in (list(trees) if n % 2 else list(reversed(trees))):
                        times[key].append(timed(trees[key], args))
                this, then = statistics.median(times["this"]), statistics.median(times[options.rev])
                print(f"| relcal {name} | {then:.3f} s | {this:.3f} s | {this / then:.2f} |", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)


if __name__ == "__main__":
    main()
