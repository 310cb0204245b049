"""Audit actions are one vocabulary: ``area.verb`` (more dotted parts allowed), lowercase, hyphens."""

from __future__ import annotations

import re

import pytest

from accessguard.audit.actions import AuditAction

STYLE = re.compile(r"^[a-z]+(\.[a-z]+(-[a-z]+)*)+$")


@pytest.mark.parametrize("action", list(AuditAction))
def test_one_naming_style(action: AuditAction) -> None:
    assert STYLE.match(action.value)


def test_derived_names_are_members() -> None:
    assert AuditAction.exposure("totp-code") is AuditAction.EXPOSURE_TOTP_CODE


def test_unknown_derived_name_is_refused() -> None:
    with pytest.raises(ValueError):
        AuditAction.run_finished("exploded")


@pytest.mark.parametrize("kind", ["reveal", "totp-code", "seed-export", "entered"])
def test_every_exposure_kind_the_code_records_has_an_action(kind: str) -> None:
    assert AuditAction.exposure(kind).value == f"exposure.{kind}"
