"""Helpers for findings unit tests: a context with the default policy, findings by kind."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from accessguard.config import CompanySettings, Settings
from accessguard.reports.findings import Finding, FindingContext
from support.rows import NOW


def context(conn: Connection) -> FindingContext:
    """Default policy at ``NOW``; example.com and +1555 count as the company's."""
    company = CompanySettings(domains=["example.com"], phone_prefixes=["+1555"])
    return FindingContext(conn, Settings(company=company), NOW)


def kinds(findings: Iterable[Finding]) -> dict[str, str]:
    """kind -> severity label."""
    return {f.kind: f.severity.label for f in findings}
