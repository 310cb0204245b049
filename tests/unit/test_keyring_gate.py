"""The keyring is skipped only when keyring itself could find no backend (no D-Bus, no config)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest

from accessguard import secrets_store


@pytest.fixture
def bare_linux(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Linux session with no D-Bus bus, no keyring config and keyring not loaded yet."""
    if sys.platform in ("darwin", "win32"):
        pytest.skip("the gate only applies off macOS and Windows")
    for var in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "config").mkdir()
    (tmp_path / "run").mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.delitem(sys.modules, "keyring", raising=False)
    return tmp_path


def test_no_bus_no_config_no_plugin_means_no_backend(bare_linux: Path) -> None:
    assert secrets_store.no_backend_possible()


@pytest.mark.parametrize(
    "var", ["PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"], ids=["backend-env", "dbus-env"]
)
def test_a_chosen_backend_or_a_bus_address_uses_keyring(
    bare_linux: Path, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, "set")
    assert not secrets_store.no_backend_possible()


def test_a_bus_socket_uses_keyring(bare_linux: Path) -> None:
    (bare_linux / "run" / "bus").touch()
    assert not secrets_store.no_backend_possible()


def test_a_keyringrc_uses_keyring(bare_linux: Path) -> None:
    config = bare_linux / "config" / "python_keyring"
    config.mkdir()
    (config / "keyringrc.cfg").write_text(
        "[backend]\ndefault-keyring=keyrings.alt.file.PlaintextKeyring\n"
    )
    assert not secrets_store.no_backend_possible()


def test_a_backend_from_another_package_uses_keyring(
    bare_linux: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = SimpleNamespace(
        name="file", module="keyrings.alt.file", dist=SimpleNamespace(name="keyrings.alt")
    )
    real = metadata.entry_points

    def with_plugin(**kwargs: object) -> object:
        found = list(real(**kwargs))  # type: ignore[arg-type]
        return [*found, plugin] if kwargs.get("group") == "keyring.backends" else found

    monkeypatch.setattr(metadata, "entry_points", with_plugin)
    assert not secrets_store.no_backend_possible()


def test_keyring_already_loaded_is_asked(bare_linux: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", SimpleNamespace())
    assert not secrets_store.no_backend_possible()


def test_a_lookup_without_backend_reads_nothing_and_never_loads_keyring(tmp_path: Path) -> None:
    """The whole effect, in a fresh process: the same answer as keyring's fail backend."""
    if sys.platform in ("darwin", "win32"):
        pytest.skip("the gate only applies off macOS and Windows")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(XDG_CONFIG_HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path))
    code = (
        "import json, sys\n"
        "from accessguard import secrets_store\n"
        "value = secrets_store.get_value('connector:slack')\n"
        "print(json.dumps([value, 'keyring' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [None, False]
