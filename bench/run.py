"""relcal's benchmarks: whole processes, medians, ratios side by side in one run.

    uv run python bench/run.py            # 7 runs of each figure (after a warm-up)
    uv run python bench/run.py --runs 11  # steadier on a busy machine
    uv run python bench/run.py --only-folder  # just the 10,000-file folder figures

Every figure is a ratio of two timings taken in the same run on the same
machine, so it means the same on a laptop and on CI. The datasets come from
bench/generate.py (deterministic); everything written goes to bench/out/.
Results are printed as a table and written to bench/out/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
PY = sys.executable
RELCAL = str(BIN / "relcal")
KHAL = str(BIN / "khal")
CACHE = OUT / "cache"

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
import generate  # noqa: E402


def env(**extra: str) -> dict[str, str]:
    # As on a user's machine: Python keeps compiled bytecode (some sandboxes set
    # PYTHONDONTWRITEBYTECODE, which makes every start compile every module).
    e = {k: v for k, v in os.environ.items() if not k.startswith("RELCAL_") and k != "PYTHONDONTWRITEBYTECODE"}
    e.update({"RELCAL_CACHE_DIR": str(CACHE), "COLUMNS": "80", "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1611100800"})
    e.update(extra)
    return e


def run_once(cmd: list[str], environ: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak memory (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ, cwd=OUT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss


def measure(cmd: list[str], runs: int, environ: dict[str, str] | None = None, before=None) -> dict[str, float]:
    environ = environ or env()
    if before:
        before()
    run_once(cmd, environ)  # warm-up: page cache, .pyc files
    times, rss = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = run_once(cmd, environ)
        times.append(t)
        rss.append(m)
    return {"median": statistics.median(times), "rss_kib": max(rss)}


def clear_cache() -> None:
    shutil.rmtree(CACHE, ignore_errors=True)


FOLDER_FILMS = 10_000  # one file per film, as 'relcal add' lays a folder out


def prepare_folder() -> dict[str, Path]:
    """The same FOLDER_FILMS synthetic films in one file and in a folder of one file each."""
    OUT.mkdir(exist_ok=True)
    single = OUT / f"films-{FOLDER_FILMS}.yaml"
    folder = OUT / f"films-{FOLDER_FILMS}"
    if not single.exists():
        print(f"generating {single.name} ...", file=sys.stderr)
        generate.write(FOLDER_FILMS, single)
    if not folder.is_dir():
        print(f"generating {folder.name}/ ...", file=sys.stderr)
        generate.write_folder(FOLDER_FILMS, folder)
    return {"single": single, "folder": folder}


def measure_folder(runs: int, query: list[str]) -> dict[str, dict[str, float]]:
    """A query over the folder: warm, cold (empty cache) and with --no-cache; and warm over the
    same films in one file. The cold and --no-cache runs parse every file (seconds each), so
    they get fewer runs, in pairs, so that a change in the machine's load hits both."""
    paths = prepare_folder()
    folder, single = str(paths["folder"]), str(paths["single"])
    cold = [RELCAL, *query, "--data", folder]
    no_cache = [RELCAL, *query, "--data", folder, "--no-cache"]
    slow_runs = max(5, runs // 2 + 1)
    cold_times, no_cache_times = [], []
    clear_cache()
    run_once(cold, env())  # warm-up: page cache, .pyc files
    for turn in range(slow_runs):  # in pairs, each pair in the other order than the last
        for which in (("cold", "no-cache") if turn % 2 == 0 else ("no-cache", "cold")):
            if which == "cold":
                clear_cache()
                cold_times.append(run_once(cold, env()))
            else:
                no_cache_times.append(run_once(no_cache, env()))
    m = {f"relcal query, {FOLDER_FILMS:,}-file folder, cold": _summary(cold_times),
         f"relcal query, {FOLDER_FILMS:,}-file folder, --no-cache": _summary(no_cache_times)}
    subprocess.run([RELCAL, *query, "--data", single], env=env(), check=True, capture_output=True)
    m[f"relcal query, {FOLDER_FILMS:,} films in one file, warm"] = measure([RELCAL, *query, "--data", single], runs)
    m[f"relcal query, {FOLDER_FILMS:,}-file folder, warm"] = measure(cold, runs)
    return m


def folder_figures(m: dict[str, dict[str, float]]) -> list[tuple[str, float, float]]:
    def t(name: str) -> float:
        return m[name]["median"]

    n = f"{FOLDER_FILMS:,}"
    return [
        (f"warm query, {n}-file folder / the same films in one file",
         t(f"relcal query, {n}-file folder, warm") / t(f"relcal query, {n} films in one file, warm"), 2.0),
        (f"cold query, {n}-file folder / the same with --no-cache",
         t(f"relcal query, {n}-file folder, cold") / t(f"relcal query, {n}-file folder, --no-cache"), 1.0),
    ]


def _summary(samples: list[tuple[float, int]]) -> dict[str, float]:
    return {"median": statistics.median(t for t, _ in samples), "rss_kib": max(r for _, r in samples)}


def report(m: dict[str, dict[str, float]], figures: list[tuple[str, float, float]], runs: int,
           out: Path | None) -> None:
    lines = [f"relcal benchmarks, {time.strftime('%Y-%m-%d')}, median of {runs} runs",
             f"machine: {platform.machine()}, {os.cpu_count()} cores, {_cpu()}, Python {platform.python_version()}",
             "", "| what | median wall | peak RSS |", "| --- | --- | --- |"]
    lines += [f"| {name} | {v['median']:.3f} s | {v['rss_kib'] / 1024:.0f} MiB |" for name, v in m.items()]
    lines += ["", "| figure | measured | goal | |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {value:.2f} | <= {goal} | {'ok' if value <= goal else 'MISSED'} |"
              for name, value, goal in figures]
    text = "\n".join(lines) + "\n"
    if out is not None:
        out.write_text(text)
    print(text)


def prepare() -> dict[str, Path]:
    OUT.mkdir(exist_ok=True)
    paths = {}
    for n in (5000, 50000):
        path = OUT / f"films-{n}.yaml"
        if not path.exists():
            print(f"generating {path.name} ...", file=sys.stderr)
            generate.write(n, path)
        paths[n] = path
    # The same events for the ics Event API, as plain JSON. Made in a child
    # process: the parent stays small, because a forked child's peak memory
    # starts from its parent's.
    events = OUT / "events-5000.json"
    if not events.exists():
        subprocess.run([PY, "-c", EVENTS, str(paths[5000]), str(events)], check=True, env=env())
    paths["events"] = events
    # khal with the shipped data's upcoming windows
    khal_dir = OUT / "khal"
    if khal_dir.exists():
        shutil.rmtree(khal_dir)
    (khal_dir / "cal").mkdir(parents=True)
    (khal_dir / "khal.conf").write_text(
        f"[calendars]\n[[relcal]]\npath = {khal_dir / 'cal'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "[default]\ndefault_calendar = relcal\n")
    ics = khal_dir / "upcoming.ics"
    subprocess.run([RELCAL, "export", "--from", "2021-01-20", "--to", "2021-02-19", "-o", str(ics)], check=True,
                   env=env())
    subprocess.run([KHAL, "-c", str(khal_dir / "khal.conf"), "import", "--batch", str(ics)], check=True,
                   env=khal_env(khal_dir), capture_output=True)
    paths["khal"] = khal_dir
    return paths


def khal_env(khal_dir: Path) -> dict[str, str]:
    return env(XDG_DATA_HOME=str(khal_dir / "data"), XDG_CONFIG_HOME=str(khal_dir / "config"))


EVENTS = """
import json, sys
from relcal import ical, load_catalog
from relcal.query import Query
rows = [r for r in Query().rows(load_catalog([sys.argv[1]], use_cache=False)) if r.release.date.is_exact]
json.dump([[ical.uid(r), r.release.date.first_day.isoformat(), ical.summary(r), ical.description(r),
            ical.categories(r), r.release.source or r.film.link("source"), ical.event_status(r.release)]
           for r in rows], open(sys.argv[2], "w"))
"""

ICS_EVENT_API = """
import json, sys
from ics import Calendar, Event
cal = Calendar()
for uid, day, summary, description, categories, url, status in json.load(open(sys.argv[1])):
    event = Event(name=summary, begin=day, uid=uid, description=description, url=url, status=status,
                  categories=set(categories), transparent=True)
    event.make_all_day()
    cal.events.add(event)
open(sys.argv[2], "w").write(cal.serialize())
"""


SYNC_FILMS = 200
SYNC_RATE = 20  # requests a second the stand-in TMDB accepts (it answers 429 beyond)


def sync_folder(films: dict[int, dict]) -> Path:
    """A folder of SYNC_FILMS dataset files, one per film, as 'relcal add' would write them."""
    from datetime import date

    from relcal.edits import DatasetFile
    from relcal.sources import tmdb_mapping

    folder = OUT / "sync"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for tmdb_id, record in films.items():
        film = tmdb_mapping.film(record, f"synthetic-{tmdb_id}", date(2026, 11, 28))
        dataset = DatasetFile.create(folder / f"{film.id}.yaml")
        dataset.append(film)
        dataset.save()
    return folder


def measure_sync(runs: int) -> dict[str, float]:
    """relcal sync of SYNC_FILMS films against the stand-in TMDB throttled to SYNC_RATE
    requests a second; between runs a tenth of the films move a date, so every run
    also rewrites files. A run that loses a film exits 1, which stops the benchmark."""
    from tests.tmdb_server import FakeTmdb, move_release, synthetic_film

    films = {990001 + i: synthetic_film(990001 + i, i) for i in range(SYNC_FILMS)}
    folder = sync_folder(films)
    with FakeTmdb(dict(films), rate_limit=SYNC_RATE) as server:
        turn = [0]

        def move_some() -> None:
            turn[0] += 1
            for tmdb_id in list(films)[::10]:
                record = films[tmdb_id]
                country = next(c for c in record["release_dates"]["results"] if c["iso_3166_1"] == "US")
                row = next(r for r in country["release_dates"] if r["type"] == 3)
                day = f"2030-01-{1 + turn[0] % 28:02d}"
                server.set_film(tmdb_id, move_release(record, "US", 3, day, row["note"]))

        environ = env(RELCAL_TMDB_URL=server.url, TMDB_API_KEY=server.api_key, RELCAL_TODAY="2026-11-28")
        return measure([RELCAL, "sync", "--data", str(folder), "--format", "tsv"], runs, environ, before=move_some)


SERVE_REQUESTS = 400  # requests per timed round and side, each on a fresh connection


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    import socket

    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"benchmark server did not start: {proc.args}") from None
            time.sleep(0.05)


def _http_get(port: int, request: bytes) -> bytes:
    """One request on a fresh connection ("Connection: close"), the whole response read."""
    import socket

    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _request(path: str, **headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: relcal-bench", "Connection: close",
             *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def measure_serve(runs: int) -> dict[str, dict[str, float]]:
    """relcal serve against 'python -m http.server' serving the same exported file: full GETs,
    and conditional GETs answered 304 (relcal: If-None-Match with its ETag; http.server, which
    has no ETag: If-Modified-Since with its Last-Modified). Each request on a fresh connection
    (http.server speaks HTTP/1.0), one client, the two servers taking turns round by round."""
    folder = OUT / "serve"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([RELCAL, "export", "-o", str(folder / "releases.ics")], check=True, env=env())
    static_port, relcal_port = _free_port(), _free_port()
    log = open(folder / "relcal-serve.log", "wb")  # both servers log every request; this one to a file
    static = subprocess.Popen([PY, "-m", "http.server", str(static_port), "--bind", "127.0.0.1", "--directory",
                               str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=OUT)
    served = subprocess.Popen([RELCAL, "serve", "--port", str(relcal_port)], stdout=subprocess.DEVNULL, stderr=log,
                              env=env(), cwd=OUT)
    try:
        _wait_for_port(static_port, static)
        _wait_for_port(relcal_port, served)
        status, static_headers, static_body = _response(_http_get(static_port, _request("/releases.ics")))
        status2, relcal_headers, relcal_body = _response(_http_get(relcal_port, _request("/releases.ics")))
        if (status, status2) != (200, 200) or static_body != relcal_body:
            raise SystemExit("relcal serve and the exported file differ: the benchmark would compare unlike things")
        cases = {
            "full": (_request("/releases.ics"), _request("/releases.ics"), 200),
            "304": (_request("/releases.ics", If_Modified_Since=static_headers["last-modified"]),
                    _request("/releases.ics", If_None_Match=relcal_headers["etag"]), 304),
        }
        m: dict[str, dict[str, float]] = {}
        for case, (to_static, to_relcal, expected) in cases.items():
            for port, request in ((static_port, to_static), (relcal_port, to_relcal)):
                got = _response(_http_get(port, request))[0]
                if got != expected:
                    raise SystemExit(f"benchmark request answered {got}, not {expected}")
                for _ in range(SERVE_REQUESTS // 4):  # warm-up
                    _http_get(port, request)
            times: dict[int, list[float]] = {static_port: [], relcal_port: []}
            for turn in range(runs):
                order = ((static_port, to_static), (relcal_port, to_relcal))
                for port, request in (order if turn % 2 == 0 else order[::-1]):
                    start = time.perf_counter()
                    for _ in range(SERVE_REQUESTS):
                        _http_get(port, request)
                    times[port].append(time.perf_counter() - start)
            what = "full GET" if case == "full" else "conditional GET (304)"
            size = f", {len(static_body) // 1024} KiB" if case == "full" else ""
            m[f"http.server, {SERVE_REQUESTS} x {what}{size}"] = {"median": statistics.median(times[static_port]),
                                                                   "rss_kib": _rss_kib(static.pid)}
            m[f"relcal serve, {SERVE_REQUESTS} x {what}{size}"] = {"median": statistics.median(times[relcal_port]),
                                                                    "rss_kib": _rss_kib(served.pid)}
        return m
    finally:
        for proc in (served, static):
            proc.send_signal(2)  # Ctrl-C
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def serve_figures(m: dict[str, dict[str, float]]) -> list[tuple[str, float, float]]:
    def t(prefix: str) -> float:
        return next(v["median"] for k, v in m.items() if k.startswith(prefix))

    n = SERVE_REQUESTS
    return [
        ("relcal serve / http.server, 304 answers", t(f"relcal serve, {n} x conditional") / t(f"http.server, {n} x conditional"), 1.0),
        ("relcal serve / http.server, full GETs of the shipped calendar",
         t(f"relcal serve, {n} x full") / t(f"http.server, {n} x full"), 1.5),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (at least 5)")
    parser.add_argument("--only-sync", action="store_true", help="measure only relcal sync against the throttled stand-in TMDB")
    parser.add_argument("--only-folder", action="store_true",
                        help=f"measure only the queries over a {FOLDER_FILMS:,}-file folder (warm, cold, --no-cache)")
    parser.add_argument("--only-serve", action="store_true",
                        help="measure only relcal serve against python -m http.server (304s and full GETs)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    if args.only_serve:
        OUT.mkdir(exist_ok=True)
        m = measure_serve(runs)
        report(m, serve_figures(m), runs, None)
        return
    query = ["upcoming", "--today", "2021-06-01", "--format", "tsv"]
    if args.only_folder:
        m = measure_folder(runs, query)
        report(m, folder_figures(m), runs, None)
        return
    if args.only_sync:
        OUT.mkdir(exist_ok=True)
        result = measure_sync(5)
        print(f"relcal sync, {SYNC_FILMS} films at {SYNC_RATE} requests/s: {result['median']:.2f} s, "
              f"{result['median'] / (SYNC_FILMS / SYNC_RATE):.2f} x the {SYNC_FILMS / SYNC_RATE:.0f} s floor")
        return
    paths = prepare()
    f5, f50 = str(paths[5000]), str(paths[50000])
    shipped_query = [RELCAL, "upcoming", "--today", "2021-01-20", "--format", "tsv"]

    m: dict[str, dict[str, float]] = {}
    print("measuring ...", file=sys.stderr)
    m["python -c pass"] = measure([PY, "-c", "pass"], runs)
    m["import typer"] = measure([PY, "-c", "import typer"], runs)
    m["import typer, rich.table, yaml"] = measure([PY, "-c", "import typer, rich.table, yaml"], runs)
    subprocess.run(shipped_query, env=env(), check=True, capture_output=True)  # prime the cache
    m["relcal upcoming --format tsv (shipped)"] = measure(shipped_query, runs)
    m["relcal upcoming --format table (shipped)"] = measure(
        [RELCAL, "upcoming", "--today", "2021-01-20", "--format", "table"], runs)
    m["khal list (same events)"] = measure(
        [KHAL, "-c", str(paths["khal"] / "khal.conf"), "list", "2021-01-20", "30d"], runs, khal_env(paths["khal"]))
    m["PyYAML CSafeLoader, 5,000 films"] = measure(
        [PY, "-c", f"import yaml; yaml.load(open({f5!r}, encoding='utf-8'), Loader=yaml.CSafeLoader)"], runs)
    m["relcal query, 5,000 films, cold"] = measure([RELCAL, *query, "--data", f5], runs, before=clear_cache)
    subprocess.run([RELCAL, *query, "--data", f5], env=env(), check=True, capture_output=True)
    m["relcal query, 5,000 films, warm"] = measure([RELCAL, *query, "--data", f5], runs)
    subprocess.run([RELCAL, *query, "--data", f50], env=env(), check=True, capture_output=True)
    m["relcal query, 50,000 films, warm"] = measure([RELCAL, *query, "--data", f50], runs)
    m["relcal export, 25,000 windows, warm"] = measure(
        [RELCAL, "export", "--data", f5, "-o", str(OUT / "export-5000.ics")], runs)
    m["ics Event API, the same events"] = measure(
        [PY, "-c", ICS_EVENT_API, str(paths["events"]), str(OUT / "ics-api-5000.ics")], max(3, runs // 2))
    m[f"relcal sync, {SYNC_FILMS} films, TMDB at {SYNC_RATE}/s"] = measure_sync(5)
    m.update(measure_folder(runs, query))
    m.update(measure_serve(runs))

    def t(name: str) -> float:
        return m[name]["median"]

    figures = [
        ("tsv query, shipped / import typer", t("relcal upcoming --format tsv (shipped)") / t("import typer"), 1.3),
        ("table query, shipped / khal list", t("relcal upcoming --format table (shipped)") / t("khal list (same events)"), 0.5),
        ("cold query, 5,000 films / CSafeLoader parse", t("relcal query, 5,000 films, cold") / t("PyYAML CSafeLoader, 5,000 films"), 1.3),
        ("warm query, 5,000 films / shipped", t("relcal query, 5,000 films, warm") / t("relcal upcoming --format tsv (shipped)"), 1.5),
        ("warm export, 25,000 windows / ics Event API", t("relcal export, 25,000 windows, warm") / t("ics Event API, the same events"), 0.15),
        ("peak memory, warm 5,000-film query (MiB)", m["relcal query, 5,000 films, warm"]["rss_kib"] / 1024, 120),
        ("warm query, 50,000 / 5,000 films", t("relcal query, 50,000 films, warm") / t("relcal query, 5,000 films, warm"), 3),
        (f"sync of {SYNC_FILMS} films at {SYNC_RATE} requests/s / the {SYNC_FILMS // SYNC_RATE} s floor",
         t(f"relcal sync, {SYNC_FILMS} films, TMDB at {SYNC_RATE}/s") / (SYNC_FILMS / SYNC_RATE), 1.2),
        *folder_figures(m),
        *serve_figures(m),
    ]
    report(m, figures, runs, OUT / "RESULTS.md")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
