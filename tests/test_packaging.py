"""A non-editable install, run from another folder, finds the shipped dataset."""

from __future__ import annotations

import os
import shutil
import subprocess

from .conftest import ROOT, SHIPPED


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the wheel (the README's set-up uses it)"
    return uv


def test_wheel_install_runs_from_any_folder_with_the_shipped_data(tmp_path):
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "RELCAL_"))}
    dist = tmp_path / "dist"
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)], check=True,
                   capture_output=True, env=env, timeout=300)
    (wheel,) = dist.glob("relcal-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True, env=env, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], check=True,
                   env=env, timeout=300)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(venv / "bin" / "relcal"), "upcoming", "--today", "2021-01-20"],
                            cwd=elsewhere, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "dear-comrades\tDear Comrades!\t2021-01-29\tday\tvirtual-cinema\tUS" in result.stdout

    installed = subprocess.run([str(python), "-c", "import relcal.catalog as c; print(c.shipped_dataset())"],
                               cwd=elsewhere, capture_output=True, text=True, env=env, check=True)
    packaged = installed.stdout.strip()
    assert str(venv) in packaged  # inside the installed package, not the checkout
    assert open(packaged, "rb").read() == SHIPPED.read_bytes()
