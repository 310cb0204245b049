"""Findings about accounts' recovery channels: whose email or phone can take the account back.

Each recovery email and phone is matched against every person's work email and the HR
feed's personal email and phone (phones compared as digits with the country prefix).
One fact, one finding, first match wins:

1. ``recovery-leaver``: it belongs to a leaving (high) or departed (critical) person;
2. ``recovery-unknown``: it is not company-owned and belongs to nobody we know (medium);
3. ``recovery-not-company``: it is not company-owned but is an active person's own
   contact (medium).

A company-owned channel of an active person, or a company one matching nobody (a shared
mailbox), is fine. Personal contacts are never printed: a finding names the person by
their work email.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from accessguard.db.tables import people as _PEOPLE
from accessguard.reports.findings.accounts import AccountFacts, account_facts
from accessguard.reports.findings.base import Finding, FindingContext, FindingStream, Severity

LEAVER_STATUSES = ("leaving", "departed")


def normalise_phone(phone: str) -> str:
    """Digits only, an international ``00`` prefix read as ``+``: ``+33 6-12`` -> ``33612``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if digits.startswith("00") else digits


@dataclass(frozen=True, slots=True)
class Holder:
    """The person a contact belongs to, and whether it is their personal one."""

    email: str
    status: str
    personal: bool


@dataclass(frozen=True, slots=True)
class Contacts:
    """Everyone's emails and phones, keyed for matching (one query, cached per report)."""

    emails: dict[str, Holder]
    phones: dict[str, Holder]


def contacts(ctx: FindingContext) -> Contacts:
    """Work and personal contacts of every person; a work email wins over a personal one."""
    if "recovery_contacts" not in ctx.cache:
        people = _PEOPLE.c
        emails: dict[str, Holder] = {}
        phones: dict[str, Holder] = {}
        query = select(people.email, people.status, people.personal_email, people.personal_phone)
        for row in ctx.session.execute(query.order_by(people.id)):
            if row.personal_email:
                emails.setdefault(row.personal_email.lower(), Holder(row.email, row.status, True))
            if row.personal_phone:
                phones.setdefault(
                    normalise_phone(row.personal_phone), Holder(row.email, row.status, True)
                )
            emails[row.email.lower()] = Holder(row.email, row.status, False)
        ctx.cache["recovery_contacts"] = Contacts(emails, phones)
    found: Contacts = ctx.cache["recovery_contacts"]
    return found


def company_email(email: str, domains: Sequence[str]) -> bool:
    """The email is on one of the company's domains."""
    return email.rsplit("@", 1)[-1].lower() in {d.lower() for d in domains}


def company_phone(phone: str, prefixes: Sequence[str]) -> bool:
    """The phone starts with one of the company's prefixes (both normalised)."""
    digits = normalise_phone(phone)
    return any(p and digits.startswith(normalise_phone(p)) for p in prefixes)


@dataclass(frozen=True, slots=True)
class Channel:
    """One recovery channel of an account, with what we know about it."""

    label: str  # "email" or "phone"
    value: str
    company: bool
    holder: Holder | None


def channels(ctx: FindingContext, acct: AccountFacts, *, known: Contacts) -> Iterator[Channel]:
    """The account's recovery email and phone, each classified."""
    yield from recovery_channels(
        ctx,
        known,
        email=acct.recovery_email,
        phone=acct.recovery_phone,
        email_company=acct.recovery_email_company,
        phone_company=acct.recovery_phone_company,
    )


def recovery_channels(
    ctx: FindingContext,
    known: Contacts,
    *,
    email: str | None,
    phone: str | None,
    email_company: bool | None = None,
    phone_company: bool | None = None,
) -> Iterator[Channel]:
    """A recovery email and phone with their holders; company ownership derived when unset."""
    company = ctx.settings.company
    if email:
        owned = email_company
        if owned is None:
            owned = company_email(email, company.domains)
        yield Channel("email", email, owned, known.emails.get(email.lower()))
    if phone:
        owned = phone_company
        if owned is None:
            owned = company_phone(phone, company.phone_prefixes)
        yield Channel("phone", phone, owned, known.phones.get(normalise_phone(phone)))


def classify(channel: Channel) -> tuple[str, Severity, str] | None:
    """The finding a channel raises (kind, severity, what), or None when it is fine."""
    holder = channel.holder
    whose = "personal " if holder is not None and holder.personal else ""
    if holder is not None and holder.status in LEAVER_STATUSES:
        severity = Severity.CRITICAL if holder.status == "departed" else Severity.HIGH
        return (
            "recovery-leaver",
            severity,
            f"recovery {channel.label} is the {whose}{channel.label} of {holder.email}"
            f" ({holder.status})",
        )
    if channel.company:
        return None
    if holder is None:
        return (
            "recovery-unknown",
            Severity.MEDIUM,
            f"recovery {channel.label} {channel.value} belongs to no company person",
        )
    return (
        "recovery-not-company",
        Severity.MEDIUM,
        f"recovery {channel.label} is the {whose}{channel.label} of {holder.email},"
        " not company-owned",
    )


FIXES = {
    "recovery-leaver": "move recovery to a company-owned mailbox or number now",
    "recovery-unknown": "find out whose it is and move recovery to a company-owned channel",
    "recovery-not-company": "move recovery to a company-owned mailbox or number",
}


def grouped(
    found: Iterator[tuple[Channel, tuple[str, Severity, str]]],
) -> dict[str, tuple[Severity, list[str], str | None]]:
    """Findings of one subject by kind: the worst severity, each channel's words, the person."""
    raised: dict[str, tuple[Severity, list[str], str | None]] = {}
    for channel, (kind, severity, what) in found:
        worst, parts, person = raised.get(kind, (severity, [], None))
        parts.append(what)
        if person is None and channel.holder is not None:
            person = channel.holder.email
        raised[kind] = (max(worst, severity), parts, person)
    return raised


def classified(found: Iterator[Channel]) -> Iterator[tuple[Channel, tuple[str, Severity, str]]]:
    """Each channel that raises a finding, with it."""
    for channel in found:
        verdict = classify(channel)
        if verdict is not None:
            yield channel, verdict


def recovery_findings(ctx: FindingContext) -> FindingStream:
    """Recovery channels held by leavers, by nobody we know, or by a person privately.

    One finding per kind and account (its email and phone joined), at the worst severity.
    """
    known = contacts(ctx)
    for acct in account_facts(ctx):
        raised = grouped(classified(channels(ctx, acct, known=known)))
        for kind, (severity, parts, person) in raised.items():
            message = f"{acct.name}: {'; '.join(parts)}: {FIXES[kind]}"
            yield Finding(
                kind, severity, "account", acct.name, message, account=acct.name, person=person
            )
