"""Small pure pieces: severities, scopes, CSV safety, digest bounds, the deploy examples."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from accessguard.errors import InputError, UsageError
from accessguard.reports.digest import EXAMPLES_PER_KIND, Digest
from accessguard.reports.findings import KINDS
from accessguard.reports.findings.base import Finding, Severity
from accessguard.reports.render.csv_out import formula_safe
from accessguard.reports.render.markdown import _esc as md_escape
from accessguard.reports.render.text import _cell as text_cell
from accessguard.reviews.campaigns import parse_scope

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def test_severity_order_and_parse() -> None:
    assert Severity.parse("HIGH") > Severity.parse("medium") > Severity.LOW
    with pytest.raises(UsageError):
        Severity.parse("severe")
    assert {v[0] for v in KINDS.values()} <= {s.label for s in Severity}


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("all", None, ("all", None)),
        ("platform x", None, ("platform", "x")),
        ("platform:x", None, ("platform", "x")),
        ("account", "brand-main", ("account", "brand-main")),
    ],
)
def test_parse_scope(text: str, value: str | None, expected: tuple[str, str | None]) -> None:
    assert parse_scope(text, value) == expected


@pytest.mark.parametrize("bad", ["", "platform", "everything", "all x"])
def test_parse_scope_rejects(bad: str) -> None:
    with pytest.raises(InputError):
        parse_scope(bad)


def test_csv_formulas_are_neutralised() -> None:
    assert formula_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert formula_safe("plain") == "plain" and formula_safe(None) == ""


def test_digest_stays_bounded() -> None:
    digest = Digest(keep_messages=True)
    for i in range(1000):
        digest.add(Finding("stale-grant", Severity.LOW, "grant", str(i), "m", "acct", "p@x"))
    digest.add(Finding("no-admin", Severity.HIGH, "account", "acct", "m", "acct"))
    assert digest.total == 1001 and digest.worst is Severity.HIGH
    assert len(digest.by_kind["stale-grant"].examples) == EXAMPLES_PER_KIND
    assert len(digest.by_account["acct"].messages) == 5
    assert digest.at_or_above(Severity.HIGH) == 1
    assert [k.kind for k in digest.kinds()] == ["no-admin", "stale-grant"]


def _report_options() -> set[str]:
    """The options ``report access`` accepts (not the hidden one that only refuses a URL)."""
    from accessguard.cli.report import access_cmd

    return {opt for p in access_cmd.params if not getattr(p, "hidden", False) for opt in p.opts}


def _no_secret_in_argv(words: list[str]) -> None:
    """A webhook URL (a bearer secret) never travels in argv, where `ps` shows it."""
    assert "--slack-webhook" not in words
    assert not [w for w in words if "WEBHOOK" in w.upper() or "://" in w]


def test_kubernetes_cronjob_runs_a_real_command() -> None:
    job = yaml.safe_load((DEPLOY / "kubernetes" / "accessguard-report-cronjob.yaml").read_text())
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    assert args[:2] == ["report", "access"]
    assert {a for a in args if a.startswith("--")} <= _report_options()
    _no_secret_in_argv(args)
    env = {e["name"] for e in container["env"]}
    assert "ACCESSGUARD_SLACK_WEBHOOK" in env


def test_cron_and_systemd_use_real_options() -> None:
    line = next(
        entry
        for entry in (DEPLOY / "cron" / "accessguard-report").read_text().splitlines()
        if entry and not entry.startswith("#") and "=" not in entry.split()[0]
    )
    service = (DEPLOY / "systemd" / "accessguard-report.service").read_text()
    exec_start = service.split("ExecStart=")[1].split("\n#")[0].replace("\\\n", " ")
    for command in (line.split("accessguard  ", 1)[1], exec_start):
        words = shlex.split(command.replace("$(", "").replace(")", ""))
        assert {w for w in words if w.startswith("--")} <= _report_options()
        _no_secret_in_argv(words)
    assert "OnCalendar=" in (DEPLOY / "systemd" / "accessguard-report.timer").read_text()


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_formula_lead_is_neutralised(lead: str) -> None:
    """OWASP's list: a tab or CR before a formula is skipped by some spreadsheets."""
    assert formula_safe(f"{lead}cmd|' /C calc'!A0").startswith("'")


@pytest.mark.parametrize(
    "hostile",
    [
        "[click me](https://evil.example/)",
        "![x](https://evil.example/t.png)",
        "<img src=x onerror=alert(1)>",
        "`code` *bold* _em_ ~~gone~~",
        "a | b | c",
        "&lt;entity&gt;",
    ],
)
def test_markdown_names_are_inert(hostile: str) -> None:
    """No Markdown construct survives: every special character is backslash-escaped."""
    escaped = md_escape(hostile)
    unescaped_specials = re.findall(r"(?<!\\)[`*_\[\]!|<>~&]", escaped)
    assert unescaped_specials == []


def test_markdown_newline_cannot_start_a_block() -> None:
    assert "\n" not in md_escape("ok\n# heading\n- item")


def test_terminal_cell_strips_escape_sequences() -> None:
    """An ANSI escape in a platform-supplied name must not reach the operator's terminal."""
    assert "\x1b" not in text_cell("evil\x1b[2J\x1b]0;pwned\x07name")
