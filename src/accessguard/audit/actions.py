"""Every audit action the tool writes, in one vocabulary: ``area.verb``, lowercase, hyphens.

SIEM rules and ``audit log --action`` match these strings, so a value never changes
once released (a new name is a new member). Actions derived from another vocabulary
(an exposure kind, a run's final status, a drift kind) are built by the class methods,
which refuse a value that is not a member.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What an audit event records."""

    PERSON_ADD = "person.add"
    PERSON_UPDATE = "person.update"
    PERSON_REHIRE = "person.rehire"
    #: A leave set by mistake undone: the person is active again (issue 19).
    PERSON_CANCEL_LEAVE = "person.cancel-leave"
    ACCOUNT_ADD = "account.add"
    ACCOUNT_UPDATE = "account.update"
    ACCOUNT_OWNER = "account.owner"
    #: Out of service, history kept (issue 19).
    ACCOUNT_ARCHIVE = "account.archive"
    GRANT_ADD = "grant.add"
    GRANT_REVOKE = "grant.revoke"
    #: A grant held because its platform removal failed or waits (issue 17).
    GRANT_REVOKE_PENDING = "grant.revoke-pending"
    PLATFORM_REVOKE = "platform.revoke"
    CONNECTOR_SECRET_SET = "connector.secret-set"
    CREDENTIAL_SET = "credential.set"
    CREDENTIAL_ROTATE = "credential.rotate"
    CREDENTIAL_CONFIRM = "credential.confirm"
    CREDENTIAL_ROLLBACK = "credential.rollback"
    CREDENTIAL_ADOPT = "credential.adopt"
    EXPOSURE_REVEAL = "exposure.reveal"
    EXPOSURE_TOTP_CODE = "exposure.totp-code"
    #: Written before 0010 for a seed shown at enrolment; now ``exposure.seed-shown``.
    EXPOSURE_SEED_EXPORT = "exposure.seed-export"
    EXPOSURE_SEED_SHOWN = "exposure.seed-shown"
    EXPOSURE_SEED_PASTED = "exposure.seed-pasted"
    EXPOSURE_ENTERED = "exposure.entered"
    TOTP_ENROLL = "totp.enroll"
    TOTP_REGENERATE = "totp.regenerate"
    TOTP_CONFIRM = "totp.confirm"
    TOTP_SHOW_QR = "totp.show-qr"
    VAULT_BOOTSTRAP = "vault.bootstrap"
    VAULT_SYNC = "vault.sync"
    VAULT_IDENTITY_CREATE = "vault.identity.create"
    VAULT_IDENTITY_ENABLE = "vault.identity.enable"
    VAULT_IDENTITY_RENAME = "vault.identity.rename"
    VAULT_USER_SET = "vault.user.set"
    #: Written as ``vault.revoke_person`` before this vocabulary; old events keep that name.
    VAULT_REVOKE_PERSON = "vault.revoke-person"
    RUN_START = "run.start"
    RUN_CONFIRM = "run.confirm"
    RUN_UNLOCK = "run.unlock"
    RUN_RESUME = "run.resume"
    RUN_LOCK_TAKEOVER = "run.lock-takeover"
    RUN_WAITING = "run.waiting"
    RUN_PARTIAL = "run.partial"
    RUN_FAILED = "run.failed"
    RUN_COMPLETED = "run.completed"
    REVIEW_START = "review.start"
    REVIEW_DECIDE = "review.decide"
    REVIEW_CLOSE = "review.close"
    RECONCILE_RUN = "reconcile.run"
    RECONCILE_DRIFT_UNMANAGED = "reconcile.drift.unmanaged"
    RECONCILE_DRIFT_MISSING = "reconcile.drift.missing"
    #: An entry of a platform's activity log (who changed whose access) read by reconcile.
    RECONCILE_CHANGE = "reconcile.change"
    STEPUP_ENROLL = "stepup.enroll"
    STEPUP_PASSED = "stepup.passed"
    STEPUP_SERVICE = "stepup.service"
    STEPUP_FAILED = "stepup.failed"
    STEPUP_REPLAYED = "stepup.replayed"
    STEPUP_LOCKED = "stepup.locked"
    STEPUP_REFUSED_LOCKED = "stepup.refused-locked"
    STEPUP_OFF_BY_CONFIG = "stepup.off-by-config"
    FINDING_ACCEPT = "finding.accept"
    FINDING_UNACCEPT = "finding.unaccept"
    #: App passwords of a shared login revoked on the platform once its rotation is in force.
    PLATFORM_REVOKE_APP_PASSWORDS = "platform.revoke-app-passwords"

    @classmethod
    def exposure(cls, kind: str) -> AuditAction:
        """The action recording an exposure of ``kind`` (``reveal``, ``totp-code``, ...)."""
        return cls(f"exposure.{kind}")

    @classmethod
    def run_finished(cls, status: str) -> AuditAction:
        """The action recording that a run settled in ``status``."""
        return cls(f"run.{status}")

    @classmethod
    def drift(cls, kind: str) -> AuditAction:
        """The action recording drift of ``kind`` found by reconcile."""
        return cls(f"reconcile.drift.{kind}")
