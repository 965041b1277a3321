"""Write a deterministic synthetic relcal dataset of N films (about 5 windows each).

    uv run python bench/generate.py 5000 bench/out/films-5000.yaml
    uv run python bench/generate.py 10000 bench/out/films-10000/   # one file per film

A path ending in "/" (or an existing folder) gets a folder with one
``<film-id>.yaml`` per film, the layout 'relcal add' writes: the same films
as the single file of the same N, so the two time like with like.

The same N always gives the same bytes: a seeded random generator picks from
fixed lists of title words (Latin, accented, Cyrillic, CJK), people, kinds,
regions and platforms, so timings compare like with like across runs.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

WORDS = ("Night", "River", "Comrades", "Été", "Année", "Сад", "Зима", "Город", "夜", "海", "Last", "Summer",
         "Winter", "Dragon", "Ghost", "Orchard", "Mother", "Söhne", "Niño", "Árbol", "Miami", "Storm", "Light",
         "Distant", "Quiet", "Red", "Blue", "Golden", "Lost", "Second")
FIRST = ("Anna", "Chloé", "Jasmila", "Andrei", "Kornél", "Yuh-jung", "Thomas", "Regina", "Lee", "Rose", "Björn",
         "Zoë", "Павел", "Мария", "陈", "Ines", "Kemp", "Florian", "Emerald", "Shaka")
LAST = ("Zhao", "Žbanić", "Konchalovsky", "Mundruczó", "Vinterberg", "King", "Chung", "Glass", "Fennell",
        "Marder", "Петров", "Иванова", "Docter", "Powers", "Zeller", "Greengrass", "Wingard", "Jenkins")
PLATFORMS = ("Netflix", "Hulu", "HBO Max", "Disney+", "Prime Video", "Apple TV+", "MUBI", "Criterion Channel",
             "Peacock", "Paramount+", "Кинопоиск", "Canal+")
VENUES = ("Venice Film Festival", "Toronto International Film Festival", "Sundance Film Festival",
          "Berlinale", "Cannes Film Festival", "New York Film Festival", "Locarno Film Festival")
REGIONS = ("US", "GB", "FR", "DE", "IT", "RU", "JP", "CA", "AU", "NO", "ES", "KR")
GENRES = ("drama", "comedy", "thriller", "documentary", "animation", "horror", "history", "romance")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def films(n: int, seed: int = 2021):
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(3, 6))]
        year = 2019 + rng.randint(0, 3)
        premiere = start + timedelta(days=rng.randint(0, 4 * 365))
        windows = [f"{{date: {premiere.isoformat()}, kind: festival, venue: {rng.choice(VENUES)}, "
                   f"region: {rng.choice(REGIONS)}}}"]
        day = premiere
        for kind in rng.sample(("limited", "theatrical", "virtual-cinema", "vod", "streaming", "physical", "tv"), 4):
            day += timedelta(days=rng.randint(7, 120))
            region = rng.choice(REGIONS)
            when = day.isoformat() if rng.random() > 0.1 else day.isoformat()[:7]
            platform = f", platform: {rng.choice(PLATFORMS)}" if kind in ("streaming", "tv") else ""
            windows.append(f"{{date: {when}, kind: {kind}, region: {region}{platform}}}")
        lines = [
            f"  - id: film-{i:06d}",
            f"    title: {_q(title)}",
            f"    year: {year}",
            f"    directors: [{people[0]}]",
            f"    cast: [{', '.join(people[1:])}]",
            f"    genres: [{rng.choice(GENRES)}]",
            f"    countries: [{rng.choice(REGIONS)}]",
            f"    runtime: {rng.randint(70, 190)}",
            f"    synopsis: {_q('A synthetic film for benchmarks, number ' + str(i) + '.')}",
            "    releases:",
            *(f"      - {w}" for w in windows),
        ]
        yield "\n".join(lines) + "\n"


def write(n: int, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"# {n} synthetic films for relcal's benchmarks (bench/generate.py)\nversion: 1\nfilms:\n")
        for film in films(n):
            out.write(film)
    return path


def write_folder(n: int, folder: Path) -> Path:
    """The films of write(n) in a folder, one <film-id>.yaml each (as 'relcal add' lays them out).

    Written into a temporary sibling and renamed, so an interrupted run never
    leaves a folder with only some of the files."""
    import shutil
    import tempfile

    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for i, film in enumerate(films(n)):
            (temp / f"film-{i:06d}.yaml").write_text(f"version: 1\nfilms:\n{film}", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        temp.rename(folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: generate.py N OUT.yaml|OUT-FOLDER/")
    out = sys.argv[2]
    if out.endswith("/") or Path(out).is_dir():
        write_folder(int(sys.argv[1]), Path(out))
    else:
        write(int(sys.argv[1]), Path(out))
