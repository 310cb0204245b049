"""A config file named on the command line must exist: a typo never falls back to defaults."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from accessguard.cli.main import cli


def test_a_missing_config_file_is_an_error_not_the_default(tmp_path: Path) -> None:
    missing = tmp_path / "acessguard.toml"  # mistyped
    result = CliRunner().invoke(
        cli, ["--config", str(missing), "--db", f"sqlite:///{tmp_path / 'ag.db'}", "people", "list"]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == f"error: config file {missing} does not exist"
    assert lines[1].startswith("hint: ") and "Traceback" not in result.output
    assert not (tmp_path / "ag.db").exists()  # nothing was opened or created


def test_init_writes_the_config_file_it_is_given(tmp_path: Path) -> None:
    config = tmp_path / "new" / "accessguard.toml"
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'ag.db'}", "init"]
    )
    assert result.exit_code == 0, result.output
    assert config.exists()
