"""The HTML report opens in headless Chromium without errors and gets screenshotted."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from accessguard.app import App
from accessguard.cli.main import cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,2000",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_html_report_in_chromium(findings_app: App, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    args = ["--db", findings_app.settings.database_url, "report", "access", "--format", "html"]
    result = CliRunner().invoke(cli, [*args, "--out", str(page)], catch_exceptions=False)
    assert result.exit_code == 0
    text = page.read_text()
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text and "<script" not in text  # self-contained: no network

    shot = tmp_path / "report.png"
    run = chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000
    console = [
        line for line in run.stderr.splitlines() if "CONSOLE" in line or ":INFO:CONSOLE" in line
    ]
    assert console == [], console

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0
    assert "Access review" in dom.stdout and "departed-holds-access" in dom.stdout
    assert "CONSOLE" not in dom.stderr
