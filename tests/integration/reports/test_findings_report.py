"""The access report finds one instance of each problem, with the expected severity."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from accessguard.app import App
from accessguard.cli.main import cli
from support.reports_inventory import EXPECTED


def run(app: App, *args: str):
    return CliRunner().invoke(
        cli,
        ["--db", app.settings.database_url, *args],
        catch_exceptions=False,
        env={"ACCESSGUARD_COMPANY_DOMAINS": "example.com"},
    )


def test_each_finding_once_with_its_severity(findings_app: App, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(findings_app, "report", "access", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    report = json.loads(out.read_text())
    found: dict[str, set[str]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["kind"], set()).add(finding["severity"])
    assert set(found) == set(EXPECTED)
    for kind, severity in EXPECTED.items():
        assert found[kind] == {severity}, kind
    assert report["summary"]["total"] == len(report["findings"])
    accounts = {a["name"]: a for a in report["accounts"]}
    assert accounts["brand-orphan"]["admins"] == 0
    assert accounts["brand-main"]["has_2fa_custody"] is True
    assert accounts["brand-old"]["credential_age_days"] == 400
    people = {p["email"]: p for p in report["people"]}
    assert people["gone@example.com"]["worst"] == "critical"


def test_fail_on_high(findings_app: App) -> None:
    result = run(findings_app, "report", "access", "--format", "csv", "--fail-on", "high")
    assert result.exit_code == 3  # findings, not an error (1)
    assert "departed-holds-access" in result.output
    assert run(findings_app, "report", "access", "--fail-on", "critical").exit_code == 3


def test_clean_inventory_passes(clean_app: App) -> None:
    result = run(clean_app, "report", "access", "--format", "json", "--fail-on", "info")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["findings"] == []


def test_every_format_renders(findings_app: App, tmp_path: Path) -> None:
    for fmt in ("table", "md", "csv", "html"):
        out = tmp_path / f"r.{fmt}"
        assert (
            run(findings_app, "report", "access", "--format", fmt, "--out", str(out)).exit_code == 0
        )
        text = out.read_text()
        assert "brand-orphan" in text, fmt
    assert "<svg" in (tmp_path / "r.html").read_text()
