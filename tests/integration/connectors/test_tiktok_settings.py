"""The TikTok connector's settings are checked when an account is added, before anything is stored."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from accessguard.cli.main import cli


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


def add(url: str, name: str, *settings: str) -> Result:
    options = [arg for setting in settings for arg in ("--setting", setting)]
    return invoke(url, "accounts", "add", name, "--platform", "tiktok", "--handle", name, *options)


def test_an_unknown_asset_type_is_refused_naming_it(sqlite_url: str) -> None:
    refused = add(sqlite_url, "tt1", "bc_id=7000123", 'asset_types=["PIXEL", "PIXELS"]')
    assert refused.exit_code == 2
    assert "PIXELS: not one of ADVERTISER" in refused.stderr
    assert "Traceback" not in refused.output
    assert json.loads(invoke(sqlite_url, "accounts", "list", "--json").stdout) == []


def test_known_asset_types_and_the_feed_switch_are_accepted(sqlite_url: str) -> None:
    added = add(
        sqlite_url,
        "tt2",
        "bc_id=7000123",
        'asset_types=["ADVERTISER", "PIXEL"]',
        "activity_log=false",
    )
    assert added.exit_code == 0, added.stderr
    [account] = json.loads(invoke(sqlite_url, "accounts", "list", "--json").stdout)
    assert account["settings"]["asset_types"] == ["ADVERTISER", "PIXEL"]
    assert account["settings"]["activity_log"] is False


def test_connectors_list_declares_the_asset_types(sqlite_url: str) -> None:
    listed = json.loads(invoke(sqlite_url, "connectors", "list", "--json").stdout)
    tiktok = next(c for c in listed if c["name"] == "tiktok")
    settings = {s["name"]: s for s in tiktok["settings"]}
    assert settings["asset_types"]["choices"][0] == "ADVERTISER"
    assert settings["activity_log"]["type"] == "bool"
