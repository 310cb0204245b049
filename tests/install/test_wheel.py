"""The tool installed the normal way (a built wheel, not editable) works with every feature.

An editable install reads templates and data files from the source tree, which hides a
file missing from the package data: this test builds the wheel, installs it in a fresh
virtual environment and drives the installed ``accessguard`` from outside the tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.reports_servers import smtp_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``accessguard`` script of a fresh venv holding only the built wheel and its deps."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = work.glob("accessguard-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q"]
    constraints = ROOT / "constraints.txt"
    if constraints.exists():
        pip += ["-c", str(constraints)]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    yield env_dir / "bin" / "accessguard"


def _run(script: Path, home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    environ = {
        "PATH": os.environ["PATH"],
        "ACCESSGUARD_HOME": str(home),
        "ACCESSGUARD_ACTOR": "tester@example.com",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        **(env or {}),
    }
    result = subprocess.run(
        [str(script), *args], cwd=home, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode in (0, 3), result.stderr
    return result.stdout


@pytest.fixture
def home(installed: Path, tmp_path: Path) -> Path:
    """An initialised installation with one person, outside the source tree."""
    _run(installed, tmp_path, "init")
    _run(installed, tmp_path, "people", "add", "ann@example.com", "--name", "Ann")
    return tmp_path


def test_html_report_from_the_wheel(installed: Path, home: Path) -> None:
    _run(installed, home, "report", "access", "--format", "html", "--out", "review.html")
    assert (home / "review.html").read_text().startswith("<!DOCTYPE html>")


def test_html_report_carries_its_stylesheet(installed: Path, home: Path) -> None:
    """The CSS comes from the package data: missing from the wheel, the page is unstyled."""
    _run(installed, home, "report", "access", "--format", "html", "--out", "review.html")
    assert "<style>" in (home / "review.html").read_text()


def test_json_listing_from_the_wheel(installed: Path, home: Path) -> None:
    people = json.loads(_run(installed, home, "people", "list", "--json"))
    assert [p["email"] for p in people] == ["ann@example.com"]


def test_email_report_from_the_wheel(installed: Path, home: Path) -> None:
    with smtp_server() as box:
        env = {
            "ACCESSGUARD_SMTP_HOST": "127.0.0.1",
            "ACCESSGUARD_SMTP_PORT": str(box.port),
            "ACCESSGUARD_SMTP_SECURITY": "none",  # a local relay without a login
        }
        _run(installed, home, "report", "access", "--email", "sec@example.com", env=env)
    attachments = [p for p in box.messages[0].walk() if p.get_filename()]
    assert attachments[0].get_content_type() == "text/html"
