"""Test helper: a real ``relcal serve`` process on 127.0.0.1, started and stopped by the test.

``RelcalServer(*args)`` starts ``python -m relcal serve --port 0 ARGS`` (the OS picks
a free port; the server prints it), collects its stderr lines (the start-up lines,
the access log, reload notes) and talks HTTP to it with http.client, so that
paths are sent exactly as written (no client-side normalising of ``/../``).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from .conftest import ROOT

EPOCH = "1611100800"  # 2021-01-20 00:00 UTC: SOURCE_DATE_EPOCH for every server and export here

# A small dataset: two films with a Hulu window each, and a title that tries to be markup.
DATASET = """\
version: 1
films:
  - id: dear-comrades
    title: "Dear Comrades!"
    year: 2020
    directors: [Andrei Konchalovsky]
    releases:
      - {date: 2021-01-29, kind: virtual-cinema, region: US}
      - {date: 2021-02-05, kind: vod, region: US}
      - {date: 2021-02-05, kind: streaming, platform: Hulu, region: US}
  - id: script-kiddie
    title: "<script>alert('x')</script> & Sons"
    year: 2021
    releases:
      - {date: 2021-02-10, kind: streaming, platform: Hulu, region: US}
      - {date: 2021-02-12, kind: theatrical, region: GB, venue: "<b>Odeon</b>"}
      - {date: 2021-03, kind: vod, region: US}
"""


def write_dataset(path: Path, text: str = DATASET) -> Path:
    """Write TEXT to PATH atomically (a new file renamed over it), as editors save."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(textwrap.dedent(text), encoding="utf-8")
    os.replace(temp, path)
    return path


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("RELCAL_DATA", "RELCAL_TODAY", "RELCAL_DEBUG", "RELCAL_NO_CACHE"):
        env.pop(name, None)
    env.update(extra)
    return env


class RelcalServer:
    """``relcal serve`` in a child process; use as a context manager (it is always stopped)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60):
        self.args = args
        self.env = env or environment()
        self.timeout = timeout
        self.lines: list[str] = []
        self._started = threading.Event()
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.returncode: int | None = None

    def __enter__(self) -> RelcalServer:
        self.proc = subprocess.Popen([sys.executable, "-m", "relcal", "serve", "--port", "0", *self.args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=self.env, cwd=ROOT)
        threading.Thread(target=self._read, daemon=True).start()
        if not self._started.wait(self.timeout) or not self.port:
            self.stop(signal.SIGKILL)
            raise RuntimeError("relcal serve did not start:\n" + "\n".join(self.lines))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            found = re.search(r"page: +http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                self._started.set()
        self._started.set()  # the process ended (it failed to start, or was stopped)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, path: str, *, method: str = "GET", headers: dict[str, str] | None = None,
                timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of one request on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def get(self, path: str, **kwargs: object) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, **kwargs)  # type: ignore[arg-type]

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Send SIG (Ctrl-C by default) and wait for the process; its exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
        deadline = time.monotonic() + 5
        while self.proc.stderr is not None and not self.proc.stderr.closed and time.monotonic() < deadline:
            time.sleep(0.01)  # let the reader thread take the last lines
            if self.lines and self.lines[-1].startswith("relcal: stopped"):
                break
        return self.returncode

    def log_lines(self, pattern: str) -> list[str]:
        return [line for line in self.lines if re.search(pattern, line)]


def export_bytes(*args: str, env: dict[str, str] | None = None) -> bytes:
    """What ``relcal export ARGS`` writes to stdout (with SOURCE_DATE_EPOCH set)."""
    result = subprocess.run([sys.executable, "-m", "relcal", "export", *args], capture_output=True,
                            env=env or environment(), cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout
