"""The tool installed the normal way (a built wheel, not editable) works with every feature.

An editable install reads templates and data files from the source tree, which hides a
file missing from the package data: this test builds the wheel, installs it in a fresh
virtual environment and drives the installed ``accessguard`` from outside the tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.reports_servers import smtp_server
from support.servers import OpenBao

ROOT = Path(__file__).resolve().parents[2]


def _clean_copy(target: Path) -> Path:
    """The files git would commit, copied to ``target``: setuptools builds in the tree and
    reuses a left-over ``build/`` or ``*.egg-info`` there, which would carry a data file
    that the package data no longer names into the wheel and hide the fault."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        origin = ROOT / name
        if origin.is_file() and not origin.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / name)
    return target


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``accessguard`` script of a fresh venv holding only the built wheel and its deps,
    at the versions ``constraints.txt`` pins (what CI and the demo install); pip's cache is
    used, so only the first run on a machine downloads."""
    work = tmp_path_factory.mktemp("wheel")
    source = _clean_copy(work / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = work.glob("accessguard-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q"]
    pip += ["--disable-pip-version-check", "-c", str(ROOT / "constraints.txt")]
    subprocess.run([*pip, f"{wheel}[keepass]"], check=True, capture_output=True)
    yield env_dir / "bin" / "accessguard"


def _environ(home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no Vault or configuration leaks in from the test process."""
    return {
        "PATH": os.environ["PATH"],
        "ACCESSGUARD_HOME": str(home),
        "ACCESSGUARD_ACTOR": "tester@example.com",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        **(env or {}),
    }


def _run(script: Path, home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(script), *args],
        cwd=home,
        env=_environ(home, env),
        capture_output=True,
        text=True,
        timeout=120,
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


#: One read command (or, where every command changes something, ``--help``) per top-level
#: command, run from the wheel: a module or data file missing from the package data fails
#: here, not in a user's first session. Kept equal to the CLI's commands by the test below.
SMOKE: dict[str, tuple[str, ...]] = {
    "init": ("init", "--help"),
    "db": ("db", "current"),
    "people": ("people", "show", "ann@example.com"),
    "accounts": ("accounts", "list", "--json"),
    "grant": ("grant", "--help"),
    "revoke": ("revoke", "--help"),
    "who-has": ("who-has", "brand-x"),
    "holdings": ("holdings", "ann@example.com"),
    "audit": ("audit", "verify"),
    "login": ("login", "--help"),
    "logout": ("logout",),
    "vault": ("vault", "policy"),
    "creds": ("creds", "status", "--json"),
    "totp": ("totp", "status", "--json"),
    "stepup": ("stepup", "--help"),
    "playbooks": ("playbooks", "show", "standard"),
    "offboard": ("offboard", "ann@example.com", "--dry-run"),
    "runs": ("runs", "list", "--json"),
    "leavers": ("leavers", "run", "--dry-run"),
    "connectors": ("connectors", "list", "--json"),
    "reconcile": ("reconcile", "--help"),
    "report": ("report", "keys", "--json"),
    "review": ("review", "pending", "--json"),
    "completion": ("completion", "bash"),
}


def test_the_smoke_list_names_every_command() -> None:
    from accessguard.cli.main import COMMANDS

    assert set(SMOKE) == set(COMMANDS)


@pytest.fixture(scope="session")
def inventory_home(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An installation with a person holding a role on one account (shared by the smoke runs)."""
    home = tmp_path_factory.mktemp("smoke-home")
    _run(installed, home, "init")
    _run(installed, home, "people", "add", "ann@example.com", "--name", "Ann")
    _run(installed, home, "accounts", "add", "brand-x", "--platform", "x", "--handle", "brandx")
    _run(
        installed,
        home,
        "grant",
        "ann@example.com",
        "brand-x",
        "--role",
        "editor",
        "--via",
        "platform-role",
    )
    return home


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_every_command_runs_from_the_wheel(
    installed: Path, inventory_home: Path, name: str
) -> None:
    """Each command group loads from the installed package and its read command answers."""
    result = subprocess.run(
        [str(installed), *SMOKE[name]],
        cwd=inventory_home,
        env=_environ(inventory_home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 3), result.stderr
    assert (result.stdout or result.stderr).strip()  # logout reports on stderr


def test_vault_status_from_the_wheel(installed: Path, home: Path, openbao: OpenBao) -> None:
    """hvac and the Vault transport work from the wheel against a real OpenBao."""
    env = {"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": openbao.token}
    status = json.loads(_run(installed, home, "vault", "status", "--json", env=env))
    assert status["sealed"] is False


def test_creds_import_of_a_kdbx_from_the_wheel(
    installed: Path, inventory_home: Path, openbao: OpenBao, tmp_path: Path
) -> None:
    """The keepass extra (pykeepass, lxml) works from the installed wheel: a dry run of a
    .kdbx import, its master password on stdin, lists the matched account."""
    from support.password_exports import KDBX_PASSWORD, X, kdbx, write_private

    data = kdbx([X], master_password=KDBX_PASSWORD, path=tmp_path / "built.kdbx")
    export = write_private(tmp_path / "shared.kdbx", data)
    env = {"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": openbao.token}
    result = subprocess.run(
        [str(installed), "creds", "import", str(export), "--from", "keepass", "--dry-run",
         "--json"],
        cwd=inventory_home,
        env=_environ(inventory_home, env),
        input=KDBX_PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [m["account"] for m in json.loads(result.stdout)["matched"]] == ["brand-x"]
