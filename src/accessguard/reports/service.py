"""Run the access report end to end: render to a file (0600) or stdout, then deliver it."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from accessguard.config import Settings
from accessguard.files import open_private
from accessguard.reports.access import AccessReport
from accessguard.reports.digest import Digest
from accessguard.reports.render import render

if TYPE_CHECKING:
    from accessguard.app import App
    from accessguard.reports.delivery import Delivery


def write_access_report(
    session: Connection,
    settings: Settings,
    *,
    now: datetime,
    fmt: str,
    out: Path | None,
    headers: bool = True,
) -> Digest:
    """Render the access report to ``out`` (0600) or stdout; returns the findings digest."""
    report = AccessReport(session, settings, now=now)
    if out is None:
        digest = render(report, fmt, sys.stdout, headers=headers)
        sys.stdout.flush()
        return digest
    with open_private(out, newline="", folders=False) as handle:
        return render(report, fmt, handle, headers=headers)


def html_report(session: Connection, settings: Settings, *, now: datetime) -> str:
    """The access report as one HTML page in memory (for attachments)."""
    buffer = io.StringIO()
    render(AccessReport(session, settings, now=now), "html", buffer)
    return buffer.getvalue()


def deliver(
    session: Connection,
    app: App,
    digest: Digest,
    delivery: Delivery,
    *,
    html: Path | None = None,
) -> None:
    """Email the HTML report (attached) and/or post a summary to Slack, as ``delivery`` says.

    ``delivery`` comes from ``prepare_delivery``, called before the report was rendered.
    """
    from accessguard.reports.delivery import (
        email_report,
        post_to_slack,
        summary_body,
        summary_text,
    )

    now = app.clock.now()
    title = f"Access review {now:%Y-%m-%d} ({app.settings.company.name})"
    if delivery.emails:
        if html is not None and html.suffix.lower() in (".html", ".htm"):
            page = html.read_text(encoding="utf-8")
        else:
            page = html_report(session, app.settings, now=now)
        worst = f", worst {digest.worst.label}" if digest.worst is not None else ""
        email_report(
            app,
            delivery,
            subject=f"{title}: {digest.total} finding(s){worst}",
            body=summary_text(digest, title=title)
            + "\n\nThe full report is attached (open it in a browser).\n",
            filename=f"access-review-{now:%Y-%m-%d}.html",
            page=page,
        )
    if delivery.slack_url is not None:
        post_to_slack(app, delivery.slack_url, subject=title, text=summary_body(digest))
