"""`report keys --out` follows `report access --out`; `report unaccept` prints JSON (issue 19)."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from accessguard.app import App
from accessguard.cli.main import cli
from support import rows
from support.reports_inventory import build_clean


def run(app: App, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--db", app.settings.database_url, *args], catch_exceptions=False
    )


def test_keys_out_writes_the_chosen_format_to_a_private_file(
    findings_app: App, tmp_path: Path
) -> None:
    out = tmp_path / "keys.json"
    written = run(findings_app, "report", "keys", "--out", str(out), "-o", "json")
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert written.stderr == f"wrote {out} (3 shared login(s))\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text()) == json.loads(
        run(findings_app, "report", "keys", "--json").stdout
    )

    text = tmp_path / "keys.txt"
    run(findings_app, "report", "keys", "--out", str(text), "--no-headers")
    lines = text.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["brand-main", "brand-old", "brand-pending"]
    names = run(findings_app, "report", "keys", "--field", "account", "-q")
    assert names.stdout.split() == ["brand-main", "brand-old", "brand-pending"]


def test_keys_out_csv_refusals_leave_no_file_and_follow_no_symlink(
    findings_app: App, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "keys.csv"
    out.parent.mkdir()
    table = run(findings_app, "report", "keys", "--out", str(out), "-o", "csv")
    assert table.exit_code == 0, table.stderr  # CSV is the table's flat columns
    lines = out.read_text().splitlines()
    assert lines[0].startswith("account,version,state,rotated,can read")
    assert [line.split(",")[0] for line in lines[1:]] == [
        "brand-main",
        "brand-old",
        "brand-pending",
    ]
    out.unlink()
    bad = run(findings_app, "report", "keys", "--out", str(out), "--json", "--field", "nope")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: no field 'nope' in this output")
    assert list(out.parent.iterdir()) == []  # not even half a file

    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    refused = run(findings_app, "report", "keys", "--json", "--out", str(link))
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: ")
    assert "Traceback" not in refused.stderr
    assert target.read_text() == "keep me\n"


def test_unaccept_prints_the_withdrawn_acceptance_as_json(app: App) -> None:
    build_clean(app)
    now = app.clock.now()
    with app.begin() as conn:
        rows.person(conn, "temp@example.com", now=now)
        grant = rows.grant(
            conn, "temp@example.com", "brand-main", "editor", expires_at=now - timedelta(days=3)
        )
    finding = f"expired-grant:grant:{grant}"
    until = (now + timedelta(days=10)).date().isoformat()
    accepted = run(
        app, "report", "accept", finding, "--until", until, "--reason", "launch", "--json"
    )
    assert json.loads(accepted.stdout)["note"] == "launch"
    withdrawn = run(app, "report", "unaccept", finding, "-o", "json")
    assert withdrawn.exit_code == 0, withdrawn.stderr
    data = json.loads(withdrawn.stdout)
    assert data["finding"] == finding
    assert data["revoked_by"]
    assert run(app, "report", "unaccept", finding, "--json").exit_code != 0  # nothing left
