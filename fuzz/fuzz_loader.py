"""Coverage-guided fuzzing of relcal's dataset loader (atheris, libFuzzer).

    uv run python fuzz/fuzz_loader.py fuzz/corpus                         # until stopped
    uv run python fuzz/fuzz_loader.py fuzz/corpus -max_total_time=600     # ten minutes
    uv run python fuzz/fuzz_loader.py -runs=2000 fuzz/corpus              # what CI runs

Any bytes given as a dataset file must come back as films or as problems with
positions: an exception escaping the loader is a finding (libFuzzer saves the
input as crash-*; add it to fuzz/corpus/ once fixed). New interesting inputs
are added to the first corpus folder given, so point it at a copy if you do
not want fuzz/corpus/ to grow.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["relcal"]):
    from relcal.errors import Problem
    from relcal.parse import load_bytes
    from relcal.query import Query
    from relcal.catalog import Catalog


def test_one_input(data: bytes) -> None:
    loaded = load_bytes(data, "fuzz.yaml")
    for problem in loaded.problems:
        assert isinstance(problem, Problem) and problem.message, problem
        assert "\n" not in str(problem), str(problem)  # one problem, one line
    if not loaded.problems:
        # What loads must also query: every window sorts and renders as a row.
        for row in Query().rows(Catalog(loaded.films)):
            row.as_dict()


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
