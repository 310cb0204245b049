"""Bluesky (AT Protocol): the app passwords of a shared Bluesky login, listed and revoked.

Bluesky has no delegation: a brand account is a shared login, and an app password made
with it keeps working after the account password changes. A leaver who created one (or
knows one) could post after the shared login was rotated, so once a rotation is in force
the ``revoke-app-passwords`` action (``playbooks/actions/app_passwords.py``) has this
connector sign in with the NEW password and revoke every app password:

- ``com.atproto.server.createSession`` {identifier, password} -> accessJwt, refreshJwt
- ``com.atproto.server.listAppPasswords`` -> {passwords: [{name, createdAt, privileged?}]}
- ``com.atproto.server.revokeAppPassword`` {name}, for each
- ``com.atproto.server.listAppPasswords`` again: the read-back (none left, or it fails)
- ``com.atproto.server.deleteSession`` with the refreshJwt: the tool's own session ends

Settings: ``handle`` (the login identifier, required) and ``pds_url`` (default
https://bsky.social, the entryway that serves every bsky.social-hosted account; a
self-hosted PDS must be in ``[connectors.bluesky] allowed_hosts``). Secrets: none of its
own; the action hands it the shared login's current password from Vault custody as
``password``, which is only ever sent in the createSession body.

``list_holders`` is not supported (``can_list`` is false): app passwords are named
devices, not people, so reconcile could only report them as unknown holders on every
run, and listing them needs the shared login itself, which reconcile never reads.
Bluesky's own password change needs a code emailed to the account's address, so it
stays a person's step (the rotation's confirmation); so does an account with email 2FA
on (``AuthFactorTokenRequired``): the action then waits with the manual checklist.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import requests

from accessguard.connectors.base import Holder, Target
from accessguard.connectors.http import PlatformRefusedError, Verdict
from accessguard.connectors.http_connector import HttpConnector
from accessguard.connectors.settings import Setting
from accessguard.errors import AccessGuardError, PermanentConnectorError
from accessguard.results import ActionResult
from accessguard.secret import Secret

#: The XRPC methods this connector calls (lexicons in bluesky-social/atproto, lexicons/com/atproto/server/).
CREATE_SESSION = "com.atproto.server.createSession"
LIST_APP_PASSWORDS = "com.atproto.server.listAppPasswords"
REVOKE_APP_PASSWORD = "com.atproto.server.revokeAppPassword"
DELETE_SESSION = "com.atproto.server.deleteSession"

T = TypeVar("T")

#: What the admin does when the tool cannot sign in for them.
MANUAL_STEPS = (
    "Sign in to https://bsky.app as {handle} with the shared login's current password "
    "(`accessguard creds reveal {account} --reason ...`).",
    "Settings > Privacy and security > App passwords: delete every app password listed.",
    "Check the list is empty, then confirm this item with evidence.",
)

_HINTS = {
    "AuthenticationRequired": (
        "Bluesky refused the shared login held in Vault: if the rotation was confirmed, was "
        "the password really changed on Bluesky? Check with `accessguard creds status`",
        "bluesky-login-refused",
    ),
    "AccountTakedown": (
        "the Bluesky account is taken down: contact Bluesky support",
        "bluesky-account-takedown",
    ),
    "ExpiredToken": ("the session expired mid-run: run the item again", "bluesky-session"),
    "InvalidToken": ("the session was refused mid-run: run the item again", "bluesky-session"),
}


class EmailCodeRequired(PermanentConnectorError):
    """The account has email 2FA on: signing in needs a code sent to its email address."""

    code = "bluesky-email-code-required"


def xrpc_verdict(response: requests.Response) -> Verdict | None:
    """Read an XRPC error ``{"error": NAME, "message": ...}``: its name, message and hint."""
    if response.ok:
        return None
    try:
        body: Any = response.json()
    except ValueError:
        return None
    name = body.get("error") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        return None
    message = f"{body.get('message') or name} ({name})"
    if response.status_code == 429 or name == "RateLimitExceeded":
        reset = response.headers.get("RateLimit-Reset")
        wait = None
        if reset and reset.isdigit():
            wait = max(float(reset) - time.time(), 0.0)
        return Verdict(True, message, name, retry_after=wait)
    if response.status_code >= 500:
        return Verdict(True, message, name)
    hint, _ = _HINTS.get(name, (None, None))
    return Verdict(False, message, name, hint=hint)


@dataclass(frozen=True)
class AppPassword:
    """One app password as ``listAppPasswords`` describes it (never its value)."""

    name: str
    created_at: str
    privileged: bool = False


@dataclass(frozen=True)
class _Session:
    access: Secret
    refresh: Secret


class BlueskyConnector(HttpConnector):
    """The app passwords of one Bluesky account, through its shared login."""

    name: ClassVar[str] = "bluesky"
    can_list: ClassVar[bool] = False
    can_revoke: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "https://bsky.social"
    official_hosts: ClassVar[tuple[str, ...]] = ("bsky.social",)
    #: none of its own: the shared login's password comes from the rotation's custody.
    secret_keys: ClassVar[tuple[str, ...]] = ()
    settings_spec: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "handle",
            "text",
            required=True,
            help="the login identifier: the account's handle (brand.bsky.social) or its email",
        ),
        Setting(
            "pds_url",
            "url",
            help="the account's PDS (default https://bsky.social; other hosts need allowed_hosts)",
        ),
    )
    summary: ClassVar[str] = (
        "Bluesky app passwords, revoked with the new password once a shared login's rotation is confirmed"
    )

    @property
    def base_url(self) -> str:
        """The PDS (``pds_url``) or Bluesky's entryway."""
        return str(self.settings.get("pds_url") or self.default_base_url).rstrip("/")

    @property
    def handle(self) -> str:
        """The login identifier."""
        return str(self.settings["handle"]).removeprefix("@")

    def _xrpc(
        self, method: str, nsid: str, *, token: Secret | None = None, body: Any = None
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token.reveal()}"} if token is not None else {}
        return self.call(
            method,
            f"/xrpc/{nsid}",
            what=nsid,
            headers=headers,
            json_body=body,
            inspect=xrpc_verdict,
            # Revoking by name twice revokes it once; a session is made or ended only once.
            idempotent=method == "GET" or nsid == REVOKE_APP_PASSWORD,
        )

    def _sign_in(self) -> _Session:
        """``createSession`` with the shared login; EmailCodeRequired when email 2FA is on."""
        body = {"identifier": self.handle, "password": self.secret("password")}
        try:
            answer = self.json_of(self._xrpc("POST", CREATE_SESSION, body=body), "POST", "/xrpc")
        except PlatformRefusedError as exc:
            if exc.platform_code == "AuthFactorTokenRequired":
                raise EmailCodeRequired(
                    f"{self.label}: Bluesky asks for a code emailed to the account "
                    "(email 2FA is on), which the tool cannot read",
                    hint="revoke the app passwords by hand (the item's instructions)",
                ) from None
            if exc.platform_code in _HINTS:
                hint, code = _HINTS[exc.platform_code]
                raise PlatformRefusedError(
                    exc.message,
                    status=exc.status,
                    platform_code=exc.platform_code,
                    hint=hint,
                    code=code,
                ) from None
            raise
        access = answer.get("accessJwt") if isinstance(answer, dict) else None
        refresh = answer.get("refreshJwt") if isinstance(answer, dict) else None
        if not isinstance(access, str) or not isinstance(refresh, str) or not access:
            raise self._malformed(CREATE_SESSION)
        return _Session(Secret(access), Secret(refresh))

    def _malformed(self, nsid: str) -> PermanentConnectorError:
        return PermanentConnectorError(
            f"{self.label}: {nsid} answered in a shape its lexicon does not define",
            hint="check the account's pds_url setting",
            code="bluesky-bad-answer",
        )

    def _list(self, session: _Session) -> list[AppPassword]:
        answer = self.json_of(
            self._xrpc("GET", LIST_APP_PASSWORDS, token=session.access), "GET", "/xrpc"
        )
        passwords = answer.get("passwords") if isinstance(answer, dict) else None
        if not isinstance(passwords, list):
            raise self._malformed(LIST_APP_PASSWORDS)
        found = []
        for entry in passwords:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise self._malformed(LIST_APP_PASSWORDS)
            found.append(
                AppPassword(
                    entry["name"],
                    str(entry.get("createdAt") or ""),
                    entry.get("privileged") is True,
                )
            )
        return found

    def _end(self, session: _Session) -> None:
        """``deleteSession`` with the refresh token: the tool leaves no session behind."""
        self._xrpc("POST", DELETE_SESSION, token=session.refresh)

    def _in_session(self, work: Callable[[_Session], T]) -> T:
        """``work`` in a session of the shared login, deleted afterwards.

        When ``work`` fails, that failure is what is raised (a failed delete after it
        would only hide it); when it succeeds, a failed delete fails the call.
        """
        session = self._sign_in()
        try:
            done = work(session)
        except AccessGuardError:
            with contextlib.suppress(AccessGuardError):
                self._end(session)
            raise
        self._end(session)
        return done

    def app_passwords(self) -> list[AppPassword]:
        """The account's app passwords (names and dates only, never a value)."""
        return self._in_session(self._list)

    def _revoke_all(self, session: _Session) -> tuple[list[AppPassword], list[AppPassword]]:
        before = self._list(session)
        for password in before:
            body = {"name": password.name}
            self._xrpc("POST", REVOKE_APP_PASSWORD, token=session.access, body=body)
        return before, (self._list(session) if before else [])

    def revoke_app_passwords(self) -> ActionResult:
        """Revoke every app password, then read back: ``changed`` only when none is left.

        ``unchanged`` when there were none. A name still listed after its revocation
        fails (nothing claims success without the read-back). The tool's session is
        deleted whatever happened.
        """
        before, left = self._in_session(self._revoke_all)
        if left:
            still = ", ".join(sorted(p.name for p in left))
            raise PermanentConnectorError(
                f"{self.label}: Bluesky still lists app password(s) after revoking them: {still}",
                hint="revoke them by hand in Settings > Privacy and security > App passwords",
                code="bluesky-still-listed",
            )
        if not before:
            return ActionResult.unchanged("no app password", revoked=[])
        names = sorted(p.name for p in before)
        # Messages name the account, not the handle: it is often the login's username,
        # which the secret filter masks.
        return ActionResult.changed(
            f"revoked {len(names)} app password(s): {', '.join(names)} (read back: none left)",
            revoked=names,
        )

    def list_holders(self) -> list[Holder]:
        """Not supported: app passwords are not people (see the module docstring)."""
        self.cannot_list()

    def revoke(self, target: Target) -> ActionResult:
        """Bluesky has no delegated roles to remove by API: the manual checklist step."""
        from accessguard.connectors.manual import manual_result

        name = self.account.name if self.account else None
        return manual_result("bluesky", handle=self.handle, target=target, account=name)

    def check(self) -> ActionResult:
        """Sign in and list the app passwords when given the login; else check only that the
        PDS is a host the egress rules allow, and say when the login is used."""
        if not self.secrets.get("password"):
            # Nothing to sign in with; still say now if the PDS is a host nobody allowed.
            self.http.egress.check(
                self.base_url,
                service=self.label,
                official_hosts=self.official_hosts,
                connector=self.name,
            )
            return ActionResult.unchanged(
                f"{self.label}: no token of its own; signs in with the shared login from Vault "
                "when a rotation is confirmed"
            )
        count = len(self.app_passwords())
        return ActionResult.unchanged(f"{self.label}: signs in ({count} app password(s))")


def manual_steps(*, handle: str, account: str) -> str:
    """Numbered instructions to revoke the app passwords by hand."""
    lines = [
        f"{n}. {step.format(handle=handle, account=account)}"
        for n, step in enumerate(MANUAL_STEPS, start=1)
    ]
    return "\n".join(lines)
