"""The one exception tree of accessguard.

Every error a user can see is an ``AccessGuardError``: it carries a message, an
optional hint, a short code (``vault-sealed``) and the exit code the CLI uses.

    AccessGuardError
    ├── UsageError                 bad arguments or input            (exit 2)
    │   ├── InputError             bad CSV / value, names file:row:column
    │   └── PlaybookValidationError  names file:line and key
    ├── ConfigError                missing or invalid settings
    ├── NotFoundError              unknown person, account, run, ...
    ├── ConflictError              duplicate, lock held, state conflict
    │   ├── LockHeldError          a run for this subject is in progress
    │   └── CasConflictError       Vault check-and-set lost a race
    ├── VaultError                 Vault refused or failed
    │   ├── VaultSealedError
    │   ├── VaultForbiddenError
    │   ├── VaultNotFoundError
    │   └── VaultUnavailableError  unreachable or 5xx: transient
    ├── ConnectorError             a platform call failed
    │   ├── TransientConnectorError   429/5xx/timeouts after retries
    │   └── PermanentConnectorError   4xx, bad credentials, bad request
    ├── DatabaseUnavailableError   the database cannot be reached or is locked
    ├── KeyringError               no usable OS keyring backend
    └── StepFailedError            a playbook step failed
"""

from __future__ import annotations

from accessguard.exit_codes import ExitCode


class AccessGuardError(Exception):
    """Root of every error accessguard raises on purpose."""

    code: str = "error"
    exit_code: int = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UsageError(AccessGuardError):
    """The user's arguments or input are wrong."""

    code = "usage"
    exit_code = ExitCode.USAGE


class InputError(UsageError):
    """A file or value given by the user is invalid (names where)."""

    code = "bad-input"


class PlaybookValidationError(UsageError):
    """A playbook does not match the schema; the message names file:line and key."""

    code = "playbook-invalid"


class ConfigError(AccessGuardError):
    """Settings are missing or invalid."""

    code = "config"


class NotFoundError(AccessGuardError):
    """Something the user named does not exist."""

    code = "not-found"


class ConflictError(AccessGuardError):
    """The change conflicts with the current state."""

    code = "conflict"


class LockHeldError(ConflictError):
    """Another run holds the lock for this subject."""

    code = "lock-held"


class CasConflictError(ConflictError):
    """A Vault check-and-set write lost a race with another writer."""

    code = "cas-conflict"


class VaultError(AccessGuardError):
    """Vault refused or failed a request."""

    code = "vault"


class VaultSealedError(VaultError):
    """Vault is sealed."""

    code = "vault-sealed"


class VaultForbiddenError(VaultError):
    """The token lacks permission, or is invalid or expired."""

    code = "vault-forbidden"


class VaultNotFoundError(VaultError):
    """The Vault path does not exist."""

    code = "vault-not-found"


class VaultUnavailableError(VaultError):
    """Vault is unreachable or answered 5xx: retry later."""

    code = "vault-unavailable"


class ConnectorError(AccessGuardError):
    """A platform call failed."""

    code = "connector"
    transient: bool = False


class TransientConnectorError(ConnectorError):
    """Throttling, 5xx or timeout that outlasted the retries: safe to retry later."""

    code = "connector-transient"
    transient = True


class PermanentConnectorError(ConnectorError):
    """The platform refused the request; retrying will not help."""

    code = "connector-permanent"


class DatabaseUnavailableError(AccessGuardError):
    """The database server cannot be reached, or the database is locked or read-only."""

    code = "db-unavailable"


class KeyringError(AccessGuardError):
    """No usable OS keyring backend."""

    code = "keyring"


class StepFailedError(AccessGuardError):
    """A playbook step failed."""

    code = "step-failed"
