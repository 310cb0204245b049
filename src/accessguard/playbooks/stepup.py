"""The engine's step-up: the operator's own second factor, held and validated by Vault's TOTP engine.

An admin enrols each operator once (``enroll``, with a token holding the enrolment
policy ``ag-<slug>-stepup-enroll``): Vault generates a seed under
``<totp_mount>/keys/<slug>_op_<operator>`` and hands its ``otpauth://`` URI back that
one time; afterwards the seed never leaves Vault, which only answers "valid or not"
(``POST <totp_mount>/code/<key>``, the only step-up path the tool policy reaches). The
operator is whoever the Vault token names (``auth/token/lookup-self``), never a name
the caller declares.

What Vault does not decide is decided here, in the library, for every caller:

- **One use per code**: an accepted code is recorded (as a digest) in the operator's
  ledger in Vault KV (``vault/stepup_ledger.py``, check-and-set); presenting it again is
  refused before Vault is asked.
- **Lockout**: ``MAX_FAILURES`` refused codes within ``WINDOW`` lock the operator's
  step-up for ``LOCKOUT``; while locked even a correct code is refused (the ledger's
  failures). Every refusal and every lock is audited.
- **Scheduled jobs**: a token holding the service policy (``ag-<slug>-service``) is a
  service identity; it passes without a human factor and is recorded as such.

The library never prompts: ``StepUp`` carries the caller's way of asking for a code.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from accessguard.app import App
from accessguard.audit.actions import AuditAction
from accessguard.audit.chain import record
from accessguard.errors import (
    CasConflictError,
    ConfigError,
    ConflictError,
    UsageError,
    VaultForbiddenError,
    VaultNotFoundError,
)
from accessguard.secret import Secret
from accessguard.vault.facade import Vault, open_vault
from accessguard.vault.stepup_ledger import Ledger, StepUpLedgers

#: Refused codes within ``WINDOW`` that lock step-up for ``LOCKOUT``.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
#: How long an accepted code is remembered: longer than Vault accepts it (period 30 s, skew 1).
REMEMBER = timedelta(minutes=5)
#: Check-and-set retries of one ledger update before giving up.
_CAS_ATTEMPTS = 5
#: The account criticality whose secrets and codes need step-up to be shown.
CRITICAL = "critical"
#: Display names that name a way of logging in, not a person.
ANONYMOUS = frozenset({"", "token", "root"})


@dataclass(frozen=True)
class Operator:
    """Who the Vault token names: its display name (slugged), entity and whether it is a service."""

    name: str
    entity_id: str | None
    service: bool


#: Asks the person at the keyboard for a code; ``why`` says what the code unlocks.
AskCode = Callable[[str], str]


class StepUp:
    """One command's step-up: how to ask for a code (injected), and whether it passed.

    A command that starts several runs (``leavers run``) asks once: codes are
    single-use, so the passed step-up is kept for the rest of the command.
    """

    def __init__(self, ask: AskCode) -> None:
        self.ask = ask
        self.passed: Operator | None = None
        self.lock = threading.Lock()


def operator_name(display_name: str) -> str:
    """A Vault display name as a key-safe operator name (``token-alice`` stays as is)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", display_name.strip().lower()).strip("-.")[:63]
    return name


def operator_of(vault: Vault) -> Operator:
    """The operator behind the Vault token (``lookup-self``); refuses a token that names nobody."""
    info = vault.sys.token_info()
    name = operator_name(str(info.get("display_name") or ""))
    service = vault.paths.service_policy() in (info.get("policies") or [])
    if name in ANONYMOUS and not service:
        raise ConfigError(
            f"this Vault token names nobody (display name {info.get('display_name')!r}), "
            "so it cannot carry a step-up",
            hint="log in to Vault as yourself (userpass, OIDC) or use a token created "
            "with -display-name=<you>",
            code="step-up-anonymous",
        )
    return Operator(name or "service", info.get("entity_id"), service)


def enroll(app: App, vault: Vault, operator: Operator) -> Secret:
    """Have Vault generate ``operator``'s step-up seed; its otpauth URI is returned once.

    ``vault`` is an admin's token (root, or one holding ``ag-<slug>-stepup-enroll``):
    the tool policy cannot write step-up keys, so neither the tool token nor a stolen
    operator session can replace a seed. Refuses when the operator already has one:
    replacing it means deleting the key first, with the same admin token.
    """
    key = vault.paths.operator_totp_key(operator.name)
    hint = (
        "an admin enrols operators: run it with a Vault token holding the policy "
        f"{vault.paths.stepup_enroll_policy()} (or root)"
    )
    try:
        if vault.totp.exists(key):
            raise ConflictError(
                f"{operator.name} already has a step-up seed in Vault",
                hint=f"an admin removes it first (`bao delete {vault.paths.totp_mount}/keys/{key}`)",
                code="step-up-enrolled",
            )
        uri = vault.totp.generate(
            key, issuer=f"accessguard {vault.paths.slug}", account_name=operator.name
        )
    except VaultForbiddenError:
        raise UsageError(
            f"this Vault token may not enrol step-up seeds ({key})",
            hint=hint,
            code="step-up-enroll-forbidden",
        ) from None
    with app.begin() as conn:
        record(
            conn,
            app.clock,
            actor=operator.name,
            action=AuditAction.STEPUP_ENROLL,
            target_type="operator",
            target=operator.name,
            details={"key": key, "entity_id": operator.entity_id},
        )
    return uri


def locked_until(failures: Sequence[datetime]) -> datetime | None:
    """When a lock set by ``failures`` (sorted times) ends: ``MAX_FAILURES`` within ``WINDOW``."""
    until = None
    for i in range(MAX_FAILURES - 1, len(failures)):
        if failures[i] - failures[i - MAX_FAILURES + 1] <= WINDOW:
            until = failures[i] + LOCKOUT
    return until


def _digest(operator: str, key: str, code: str) -> str:
    return hashlib.sha256(f"{operator}\0{key}\0{code}".encode()).hexdigest()


def _audit(app: App, operator: Operator, action: AuditAction, why: str, **details: object) -> None:
    with app.begin() as conn:
        record(
            conn,
            app.clock,
            actor=operator.name,
            action=action,
            target_type="operator",
            target=operator.name,
            details={"for": why, "entity_id": operator.entity_id, **details},
        )


def _prune(ledger: Ledger, now: datetime) -> Ledger:
    """Forget uses older than ``REMEMBER`` and failures that can no longer lock."""
    return Ledger(
        tuple((d, at) for d, at in ledger.uses if at > now - REMEMBER),
        tuple(at for at in ledger.failures if at > now - WINDOW - LOCKOUT),
        ledger.version,
    )


def _refuse_if_locked(app: App, operator: Operator, ledger: Ledger, why: str) -> None:
    until = locked_until(sorted(ledger.failures))
    if until is not None and app.clock.now() < until:
        _audit(app, operator, AuditAction.STEPUP_REFUSED_LOCKED, why, until=until.isoformat())
        raise UsageError(
            f"step-up is locked for {operator.name} until {until:%H:%M:%S} UTC "
            f"after {MAX_FAILURES} wrong codes",
            hint="wait, and tell your security team if those attempts were not yours",
            code="step-up-locked",
        )


def _replayed(app: App, operator: Operator, why: str) -> UsageError:
    _audit(app, operator, AuditAction.STEPUP_REPLAYED, why)
    return UsageError(
        "step-up refused: that code was already used (each code works once)",
        hint="wait for your authenticator's next code",
        code="step-up-replayed",
    )


def _record(
    ledgers: StepUpLedgers, operator: str, now: datetime, *, digest: str | None
) -> Ledger | None:
    """Add a use (``digest``) or a failure (None) to the ledger, with check-and-set.

    Returns the ledger as written, or None when ``digest`` was recorded meanwhile by a
    command racing with the same code (that one won).
    """
    for _ in range(_CAS_ATTEMPTS):
        ledger = _prune(ledgers.read(operator), now)
        if digest is not None and ledger.used(digest):
            return None
        if digest is None:
            ledger = Ledger(ledger.uses, (*ledger.failures, now), ledger.version)
        else:
            ledger = Ledger((*ledger.uses, (digest, now)), ledger.failures, ledger.version)
        try:
            ledgers.write(operator, ledger)
        except CasConflictError:
            continue
        return ledger
    raise CasConflictError(
        f"the step-up ledger of {operator} kept changing under this command",
        hint="another accessguard command is using the same operator's step-up; retry",
    )


def _fail(app: App, ledgers: StepUpLedgers, operator: Operator, why: str) -> UsageError:
    now = app.clock.now()
    ledger = _record(ledgers, operator.name, now, digest=None)
    _audit(app, operator, AuditAction.STEPUP_FAILED, why)
    until = locked_until(sorted(ledger.failures)) if ledger is not None else None
    if until is not None and until > now and until - LOCKOUT == now:
        _audit(app, operator, AuditAction.STEPUP_LOCKED, why, until=until.isoformat())
    return UsageError("step-up failed: that TOTP code is not valid", code="step-up-failed")


def verify_code(app: App, vault: Vault, operator: Operator, code: str, *, why: str) -> None:
    """Accept ``code`` once for ``operator`` if Vault says it is valid; raise to refuse.

    Order: the lock, then the used-code ledger (a replay never reaches Vault), then
    Vault, then the record of this use with check-and-set (a race with the same code
    loses there). The ledger is in Vault KV, out of a database writer's reach.
    """
    ledgers = StepUpLedgers(vault)
    now = app.clock.now()
    ledger = _prune(ledgers.read(operator.name), now)
    _refuse_if_locked(app, operator, ledger, why)
    key = vault.paths.operator_totp_key(operator.name)
    text = code.strip()
    digest = _digest(operator.name, key, text)
    if ledger.used(digest):
        raise _replayed(app, operator, why)
    try:
        valid = vault.totp.validate(key, Secret(text))
    except VaultNotFoundError:
        raise ConfigError(
            f"{operator.name} has no step-up seed in Vault",
            hint="an admin enrols you once with `accessguard stepup enroll --operator "
            f"{operator.name}`",
            code="step-up-missing",
        ) from None
    if not valid:
        raise _fail(app, ledgers, operator, why)
    if _record(ledgers, operator.name, now, digest=digest) is None:
        raise _replayed(app, operator, why)
    _audit(app, operator, AuditAction.STEPUP_PASSED, why)


def check(app: App, step_up: StepUp | None, *, why: str, vault: Vault | None = None) -> Operator:
    """Pass ``step_up`` once for this command: a service identity, or a valid unused code.

    Raises UsageError (``step-up-required``) when nobody can be asked. ``vault``
    defaults to the App's (the operator's own token).
    """
    if step_up is None:
        raise UsageError(
            f"step-up is on and {why} needs it, but nothing can ask for your TOTP code",
            hint="run it from the accessguard CLI with --step-up-code "
            "(or ACCESSGUARD_STEP_UP_CODE)",
            code="step-up-required",
        )
    with step_up.lock:
        if step_up.passed is not None:
            return step_up.passed
        vault = vault or open_vault(app)
        operator = operator_of(vault)
        if operator.service:
            _audit(
                app, operator, AuditAction.STEPUP_SERVICE, why, policy=vault.paths.service_policy()
            )
        else:
            verify_code(app, vault, operator, step_up.ask(why), why=why)
        step_up.passed = operator
        return operator


def record_off(app: App, *, why: str) -> None:
    """Audit that a destructive change ran without step-up because the config file says so."""
    with app.begin() as conn:
        record(
            conn,
            app.clock,
            actor=app.actor,
            action=AuditAction.STEPUP_OFF_BY_CONFIG,
            target_type="config",
            target=app.settings.config_path or "defaults",
            details={"for": why, "setting": "[offboarding] step_up = false"},
        )


def require(app: App, step_up: StepUp | None, *, why: str) -> None:
    """Step-up for one destructive change, or refuse; off (config file only) is audited.

    On (``[offboarding] step_up = true`` in the config file): the operator's code is
    checked by Vault, once per code, under the lockout; a service token passes and is
    recorded. Off: every change that would have asked records ``step-up.off-by-config``.
    """
    if not app.settings.offboarding.step_up:
        record_off(app, why=why)
        return
    check(app, step_up, why=why)


def require_for_account(app: App, account_ref: str, step_up: StepUp | None, *, why: str) -> None:
    """Step-up before a secret or code of a **critical** account is shown; others pass as is."""
    from accessguard.inventory.records import get_account_record

    with app.begin() as conn:
        account = get_account_record(conn, account_ref)
    if account.criticality == CRITICAL:
        require(app, step_up, why=f"{why} of {account.name} (critical)")
