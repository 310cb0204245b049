"""One self-contained HTML page: inline CSS, inline SVG charts, no scripts, no network."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from typing import Any, TextIO

from accessguard.clock import stamp
from accessguard.reports.access import AccessReport
from accessguard.reports.digest import Digest
from accessguard.reports.findings import KINDS
from accessguard.reports.findings.base import Severity
from accessguard.reports.render.charts import columns, donut, hbars

COLOURS = {
    Severity.CRITICAL: "#b91c1c",
    Severity.HIGH: "#ea580c",
    Severity.MEDIUM: "#d97706",
    Severity.LOW: "#2563eb",
    Severity.INFO: "#64748b",
}
AGE_COLOURS = ("#059669", "#10b981", "#d97706", "#ea580c", "#b91c1c")


def _e(value: Any) -> str:
    return escape("-" if value is None else str(value))


def _pill(label: str | None) -> str:
    if not label:
        return "<span class='pill none'>none</span>"
    return f"<span class='pill {escape(label)}'>{escape(label)}</span>"


def _yes_no(value: bool) -> str:
    return "<span class='yes'>yes</span>" if value else "<span class='no'>no</span>"


def _kpis(report: AccessReport, digest: Digest, accounts: list[dict[str, Any]]) -> str:
    people = len(digest.by_person)
    grants = sum(a["active_grants"] for a in accounts)
    cards = [
        ("", f"{digest.total:,}", "findings"),
        ("critical", f"{digest.by_severity.get(Severity.CRITICAL, 0):,}", "critical"),
        ("high", f"{digest.by_severity.get(Severity.HIGH, 0):,}", "high"),
        ("", f"{len(accounts):,}", "accounts"),
        ("", f"{grants:,}", "active grants"),
        ("medium", f"{people:,}", "people flagged"),
    ]
    return (
        "<div class='kpis'>"
        + "".join(
            f"<div class='kpi {cls}'><b>{value}</b><span>{escape(label)}</span></div>"
            for cls, value, label in cards
        )
        + "</div>"
    )


def _charts(report: AccessReport, digest: Digest) -> str:
    severity = donut(
        [(s.label, digest.by_severity.get(s, 0), COLOURS[s]) for s in reversed(Severity)],
        center=f"{digest.total:,}",
        caption="findings",
    )
    platforms = report.access_by_platform()[:10]
    platform_chart = hbars(
        [
            (p, grants, f"{accounts} account(s), {grants} active grant(s)")
            for p, accounts, grants in platforms
        ]
    )
    buckets = report.credential_age_buckets()
    age_chart = columns(
        [(label, n, colour) for (label, n), colour in zip(buckets, AGE_COLOURS, strict=True)]
    )
    return (
        "<div class='charts'>"
        f"<div class='card'><h2>Findings by severity</h2>{severity}</div>"
        f"<div class='card'><h2>Access by platform <small>active grants</small></h2>"
        f"{platform_chart}</div>"
        f"<div class='card'><h2>Credential age <small>since last rotation</small></h2>"
        f"{age_chart}</div>"
        "</div>"
    )


def _findings(digest: Digest) -> str:
    if not digest.total:
        return "<section class='card'><h2>Findings</h2><p class='empty'>No findings. </p></section>"
    blocks = []
    for i, kind in enumerate(digest.kinds()):
        items = "".join(
            f"<li>{_pill(f.severity.label)} <code>{_e(f.subject_type)}:{_e(f.subject_id)}</code>"
            f"{_e(f.message)}</li>"
            for f in kind.examples
        )
        more = kind.count - len(kind.examples)
        if more > 0:
            items += f"<li class='sub'>… and {more:,} more in the JSON or CSV report</li>"
        what = KINDS.get(kind.kind, ("", ""))[1]
        open_ = kind.severity >= Severity.HIGH or i < 3
        blocks.append(
            f"<details class='kind'{' open' if open_ else ''}><summary>{_pill(kind.severity.label)}"
            f"<span class='name'>{_e(kind.kind)}</span><span class='what'>{_e(what)}</span>"
            f"<span class='count'>{kind.count:,}</span></summary><ul>{items}</ul></details>"
        )
    return "<section class='card'><h2>Findings</h2>" + "".join(blocks) + "</section>"


def _accepted(digest: Digest) -> str:
    """Accepted risks: shown with who accepted them, until when and why; not counted."""
    if not digest.accepted_count:
        return ""
    items = "".join(
        f"<li>{_pill(f.severity.label)} <code>{_e(f.id)}</code> {_e(f.message)}"
        f"<div class='sub'>accepted by {_e(a.by)} until {stamp(a.until)}: "
        f"{_e(a.note)}</div></li>"
        for f in digest.accepted
        if (a := f.accepted) is not None
    )
    return (
        f"<section class='card'><h2>Accepted risks <small>{digest.accepted_count:,}, "
        f"not counted</small></h2><ul>{items}</ul></section>"
    )


def _accounts(accounts: list[dict[str, Any]], limit: int) -> str:
    ranked = sorted(
        accounts,
        key=lambda a: (-Severity.parse(a["worst"] or "info"), -a["findings"], a["name"]),
    )
    rows = []
    for a in ranked[:limit]:
        issues = "".join(f"<div class='sub'>{_e(msg)}</div>" for _, msg in a.get("messages", []))
        age = a["credential_age_days"]
        rows.append(
            f"<tr><td><b>{_e(a['name'])}</b><div class='sub'>{_e(a['platform'])} · "
            f"{_e(a['handle'])}</div></td><td>{_e(a['criticality'])}</td><td>{_e(a['owner'])}</td>"
            f"<td class='num'>{a['active_grants']}</td><td class='num'>{a['admins']}</td>"
            f"<td>{_yes_no(a['has_2fa_custody'])}</td>"
            f"<td class='num'>{'-' if age is None else f'{age} d'}</td>"
            f"<td>{_pill(a['worst'])} {a['findings']}{issues}</td></tr>"
        )
    note = (
        f"<p class='note'>Showing the {limit} accounts with the worst findings of "
        f"{len(accounts):,}; the JSON report lists all.</p>"
        if len(accounts) > limit
        else ""
    )
    return (
        f"<section class='card'><h2>Accounts <small>{len(accounts):,}</small></h2><table>"
        "<tr><th>Account</th><th>Criticality</th><th>Owner</th><th>Grants</th><th>Admins</th>"
        "<th>2FA in Vault</th><th>Password age</th><th>Findings</th></tr>"
        + "".join(rows)
        + f"</table>{note}</section>"
    )


def _people(report: AccessReport, digest: Digest, limit: int) -> str:
    emails = report.worst_people(limit)
    people = sorted(
        report.people(emails),
        key=lambda p: (-Severity.parse(p["worst"] or "info"), -p["findings"], p["email"]),
    )
    holdings = report.holdings_of(emails)
    rows = []
    for p in people:
        tags = "".join(
            f"<span class='tag{' admin' if role in ('admin', 'owner') else ''}'>"
            f"{_e(account)} · {_e(role)}</span>"
            for account, _platform, role, _via in holdings.get(p["email"], [])[:12]
        )
        issues = "".join(f"<div class='sub'>{_e(msg)}</div>" for _, msg in p.get("messages", []))
        rows.append(
            f"<tr><td><b>{_e(p['email'])}</b><div class='sub'>{_e(p['name'])} · "
            f"{_e(p['department'])}</div></td><td>{_e(p['kind'])}</td><td>{_e(p['status'])}"
            f"{'<div class=sub>ends ' + _e(p['end_date']) + '</div>' if p['end_date'] else ''}</td>"
            f"<td>{tags}</td><td>{_pill(p['worst'])} {p['findings']}{issues}</td></tr>"
        )
    total = len(digest.by_person)
    note = (
        f"<p class='note'>Showing {limit} of {total:,} people with findings.</p>"
        if total > limit
        else ""
    )
    body = (
        "<table><tr><th>Person</th><th>Kind</th><th>Status</th><th>Holds</th>"
        "<th>Findings</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p class='empty'>Nobody has findings.</p>"
    )
    return (
        f"<section class='card'><h2>People with findings <small>{total:,}</small></h2>"
        f"{body}{note}</section>"
    )


def _removals(report: AccessReport, limit: int) -> str:
    """Time from end date to confirmed removal per departed person (pending: not done)."""
    rows = [
        f"<tr><td><b>{_e(r['email'])}</b></td><td>{_e(r['end_date'])}</td>"
        f"<td>{_e(r['removed_at'])}</td><td>{_e(r['days_to_removal'])}</td>"
        f"<td>{_pill('critical') + ' ' if r['pending_removals'] else ''}"
        f"{_e(r['pending_removals'])}</td></tr>"
        for r in report.removal_times()
    ][:limit]
    body = (
        "<table><tr><th>Person</th><th>End date</th><th>Removal confirmed</th>"
        "<th>Days</th><th>Pending removals</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p class='empty'>No departed people with access records.</p>"
    )
    return f"<section class='card'><h2>Time to removal</h2>{body}</section>"


def write_html(report: AccessReport, out: TextIO, *, limit: int = 500) -> None:
    """Write the whole page; people-facing sections are capped at ``limit`` rows."""
    report.digest.keep_messages = True
    digest = report.run_findings()
    accounts = list(report.accounts())
    css = files("accessguard.reports").joinpath("templates/report.css").read_text("utf-8")
    company = report.ctx.settings.company.name
    worst = digest.worst
    verdict = (
        "No findings" if worst is None else f"{digest.total:,} finding(s) · worst: {worst.label}"
    )
    out.write(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Access review · {_e(company)} · {report.now:%Y-%m-%d}</title>"
        f"<style>{css}</style></head><body>"
        f"<header><h1>Access review · {_e(company)}</h1>"
        f"<p>Generated {stamp(report.now)} by accessguard · stale after "
        f"{report.ctx.settings.policy.stale_grant_days} days unused</p>"
        f"<span class='verdict'>{_e(verdict)}</span></header><main>"
    )
    out.write(_kpis(report, digest, accounts))
    out.write(_charts(report, digest))
    out.write(_findings(digest))
    out.write(_accepted(digest))
    out.write(_accounts(accounts, limit))
    out.write(_people(report, digest, limit))
    out.write(_removals(report, limit))
    out.write(
        "<footer>accessguard access review — keep this file private: it names people and "
        "their access.</footer></main></body></html>\n"
    )
