"""`logout` tells the truth about the keyring: with no backend that keeps values, nothing was stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from accessguard.cli.main import cli
from support.memory_keyring import MemoryKeyring


@pytest.fixture
def backend() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def _logout(tmp_path: Path, chosen: KeyringBackend) -> tuple[int, str]:
    keyring.set_keyring(chosen)
    result = CliRunner().invoke(
        cli, ["--db", f"sqlite:///{tmp_path / 'ag.db'}", "logout"], catch_exceptions=False
    )
    return result.exit_code, result.stderr


@pytest.mark.parametrize("chosen", [null.Keyring(), fail.Keyring()], ids=["null", "fail"])
def test_logout_with_no_keyring_says_nothing_was_stored(
    backend: None, tmp_path: Path, chosen: KeyringBackend
) -> None:
    code, stderr = _logout(tmp_path, chosen)
    assert code == 0
    assert stderr.strip() == "nothing was stored: no OS keyring backend that keeps values is in use"
    assert "removed" not in stderr


def test_logout_with_a_keyring_removes_the_token(backend: None, tmp_path: Path) -> None:
    memory = MemoryKeyring()
    memory.set_password("accessguard", "vault-token", "t0ken")
    code, stderr = _logout(tmp_path, memory)
    assert code == 0
    assert stderr.strip() == "removed the Vault token from the OS keyring"
    assert memory.values == {}
    code, stderr = _logout(tmp_path, memory)
    assert stderr.strip() == "no token was stored"
