"""A small inventory and one finished offboarding through the CLI, with no outside server.

Two people, three accounts, a grant, and Ann offboarded with an inventory-only playbook
(mark leaving, end grants, mark departed): what completion and run-log tests read.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from accessguard.cli.main import cli

PLAYBOOK = """\
name: tiny
description: Inventory only.
steps:
  - id: mark-leaving
    action: mark-leaving
  - id: end-grants
    action: end-grants
    for_each: grants
    args:
      reason: "offboarding"
  - id: mark-departed
    action: mark-departed
"""
ACCOUNTS = [("nw-x", "x"), ("nw-instagram", "instagram"), ("acme-tiktok", "tiktok")]


def run(url: str, *args: str) -> Result:
    """Run the CLI on ``url``; the command must succeed."""
    result = CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def build_inventory(url: str) -> None:
    """Ann and Bob, the three accounts, Ann an editor on two of them."""
    run(url, "people", "add", "ann@example.com", "--name", "Ann")
    run(url, "people", "add", "bob@example.com", "--name", "Bob")
    for name, platform in ACCOUNTS:
        run(url, "accounts", "add", name, "--platform", platform, "--handle", name)
    for account in ("nw-x", "nw-instagram"):
        run(url, "grant", "ann@example.com", account, "--role", "editor", "--via", "platform-role")


def offboard_ann(url: str, tmp_path: Path, *root_options: str) -> tuple[str, Result]:
    """Offboard Ann with the inventory-only playbook; returns (run id, the CLI's result)."""
    playbook = tmp_path / "tiny.yaml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    args = [*root_options, "--db", url, "offboard", "ann@example.com"]
    result = CliRunner().invoke(
        cli, [*args, "--playbook", str(playbook), "--yes"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    run_id = next(word for word in result.output.split() if word.startswith("run-"))
    return run_id, result
