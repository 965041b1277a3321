"""A real browser: Debian's chromium, headless, loads the page from relcal serve
and the published index.html, at a desktop's and a phone's width.

The screenshots must not be blank (the PNG is decoded with zlib alone: many
colours, from text and the kinds' colours), and the subscribe links are read
from the DOM chromium built (``--dump-dom``). A copy of each screenshot is kept
in /tmp/relcal-shots/ for a person to look at. Skipped only when chromium is not
installed (.ci/run installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .serving import RelcalServer, write_dataset

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                          "(.ci/run installs it: apt-get install chromium)")
SHOTS = Path("/tmp/relcal-shots")
TODAY = "2021-01-20"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
# Needed as root in a container, and so that the browser never reaches past 127.0.0.1.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--no-default-browser-check"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"  # a fresh one each run
    assert CHROMIUM is not None
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                            timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def screenshot(tmp_path: Path, url: str, size: tuple[int, int], name: str) -> Path:
    path = tmp_path / f"{name}.png"
    chromium(tmp_path, f"--window-size={size[0]},{size[1]}", f"--screenshot={path}", url)
    assert path.exists(), f"chromium wrote no screenshot of {url}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SHOTS / path.name)
    return path


def dump_dom(tmp_path: Path, url: str) -> str:
    return chromium(tmp_path, "--window-size=1280,900", "--dump-dom", url).stdout


# --------------------------------------------------------------------------
# PNG, decoded with zlib alone

def png_pixels(path: Path, most: int = 200) -> tuple[int, int, set[bytes]]:
    """(width, height, the distinct pixel values), reading rows until MOST colours are found."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    assert len(raw) == height * (stride + 1)
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp * 7))  # every 7th pixel
        previous = line
        if len(colours) >= most:
            break
    return width, height, colours


def assert_not_blank(path: Path, size: tuple[int, int]) -> None:
    width, height, colours = png_pixels(path)
    assert (width, height) == size
    assert len(colours) > 20, f"{path.name}: only {len(colours)} colours: a blank page?"


# --------------------------------------------------------------------------
# Links as the browser sees them

class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def anchors(dom: str) -> list[tuple[str, str]]:
    parser = Anchors()
    parser.feed(dom)
    return parser.links


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("browser") / "films.yaml")


def test_the_served_page_in_chromium(tmp_path):
    with RelcalServer("--today", TODAY) as server:  # the shipped dataset
        url = server.url + "/"
        for name, size in SIZES.items():
            assert_not_blank(screenshot(tmp_path, url, size, f"serve-{name}"), size)
        screenshot(tmp_path, url, (1280, 3000), "serve-desktop-long")
        screenshot(tmp_path, url, (390, 4000), "serve-phone-long")
        dom = dump_dom(tmp_path, url)
        assert server.stop() == 0
    links = anchors(dom)
    base = f"127.0.0.1:{server.port}"
    assert ("Subscribe in your calendar app", f"webcal://{base}/releases.ics") in links
    assert ("Download (.ics)", "/releases.ics") in links
    assert ("Hulu", f"webcal://{base}/releases.ics?platform=Hulu&name=relcal+releases+%E2%80%94+Hulu") in links
    assert ("VOD", f"webcal://{base}/releases.ics?kind=vod&name=relcal+releases+%E2%80%94+VOD") in links
    assert f"http://{base}/releases.ics" in dom  # the address to copy
    assert all(href.startswith((f"webcal://{base}/releases.ics", "/releases.ics")) for _, href in links), links
    assert "Dear Comrades!" in dom and "January 2021" in dom
    assert len(server.log_lines(r'"GET / HTTP/1\.1" 200 ')) >= 5


def test_the_published_page_in_chromium(run, dataset, tmp_path):
    out = tmp_path / "site"
    result = run("publish", "--out-dir", str(out), "--data", str(dataset), "--today", TODAY, "--split-by", "film",
                 env={"SOURCE_DATE_EPOCH": "1611100800"})
    assert result.exit_code == 0, result.output
    url = (out / "index.html").as_uri()
    for name, size in SIZES.items():
        assert_not_blank(screenshot(tmp_path, url, size, f"publish-{name}"), size)
    dom = dump_dom(tmp_path, url)
    links = anchors(dom)
    assert ("Calendar file (.ics)", "releases.ics") in links
    assert ("Hulu", "platform/hulu.ics") in links and ("VOD", "kind/vod.ics") in links
    assert ("Dear Comrades!", "film/dear-comrades.ics") in links
    for _, href in links:
        assert not re.match(r"[a-z]+:|/", href), href  # relative: the site works from any folder or host
        assert (out / href).is_file(), href
    # the title that tries to be markup is text in the browser's DOM, not an element
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; Sons" in dom
    assert "<script" not in dom.lower()
