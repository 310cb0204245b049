"""A loopback Bluesky PDS (XRPC) for one account: sessions and app passwords.

Shaped from the official lexicons in bluesky-social/atproto (``lexicons/com/atproto/
server/``: createSession, listAppPasswords, revokeAppPassword, deleteSession,
createAppPassword) and from the reference PDS's behaviour (``packages/pds``):

- a procedure is a POST with a JSON body when its lexicon has an input, a query a GET;
  each input is checked against the lexicon's ``required`` and property types, and a
  bad one is answered ``400 {"error": "InvalidRequest"}`` as the XRPC server does;
- errors are ``{"error": NAME, "message": ...}``: a wrong login is ``401
  AuthenticationRequired``, email 2FA without its code ``401 AuthFactorTokenRequired``,
  an unknown bearer token ``401`` (access) or ``400 InvalidToken`` (refresh);
- changing the password (``change_password``: what a person does with the emailed
  reset code) revokes every refresh token, as ``updateAccountPassword`` does, but not
  the app passwords, and access tokens already issued keep working until they expire
  (stateless JWTs): that is why app passwords must be revoked after a rotation;
- app passwords are managed with a full session only (signed in with the account
  password), never with a session signed in with an app password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from support.fake_http import FakeServer, Reply, Request

#: Each method's kind and input schema (``required``, property -> JSON type), from its lexicon.
LEXICONS: dict[str, tuple[str, tuple[str, ...], dict[str, type]]] = {
    "com.atproto.server.createSession": (
        "procedure",
        ("identifier", "password"),
        {"identifier": str, "password": str, "authFactorToken": str, "allowTakendown": bool},
    ),
    "com.atproto.server.listAppPasswords": ("query", (), {}),
    "com.atproto.server.revokeAppPassword": ("procedure", ("name",), {"name": str}),
    "com.atproto.server.deleteSession": ("procedure", (), {}),
    "com.atproto.server.createAppPassword": (
        "procedure",
        ("name",),
        {"name": str, "privileged": bool},
    ),
}
#: Procedures whose lexicon defines no input: sent without a body.
NO_INPUT = frozenset({"com.atproto.server.deleteSession"})


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, {"error": name, "message": message})


@dataclass
class Session:
    """One session: its tokens, and whether it was signed in with an app password."""

    access: str
    refresh: str
    app_password: str | None = None
    revoked: bool = False


class BlueskyFake(FakeServer):
    """One account (``handle``, ``email``, ``password``) on a PDS serving XRPC."""

    def __init__(
        self,
        *,
        handle: str = "northwind.bsky.social",
        password: str = "bluesky-initial-pw-0",
        email: str = "social@northwind.example",
        email_2fa: bool = False,
        stubborn: bool = False,
    ) -> None:
        super().__init__()
        self.handle, self.password, self.email = handle, password, email
        self.did = "did:plc:northwind0000000000000000"
        #: email 2FA on: createSession needs the code sent to ``email``.
        self.email_2fa = email_2fa
        #: answers revokeAppPassword but keeps the password (the read-back must see it).
        self.stubborn = stubborn
        self.app_passwords: dict[str, dict[str, Any]] = {}
        self.sessions: list[Session] = []

    # -- what tests do on the platform ------------------------------------------------

    def settings(self) -> dict[str, str]:
        """Account settings pointing the bluesky connector at this PDS."""
        return {"handle": self.handle, "pds_url": self.url}

    def change_password(self, new: str) -> None:
        """The person's step (emailed reset code): a new password; refresh tokens revoked."""
        with self._lock:
            self.password = new
            for session in self.sessions:
                if session.app_password is None:
                    session.revoked = True  # its refresh token (the access JWT lives on)

    def sign_in(self, password: str) -> Session:
        """A session as the person's app gets it (with the emailed code when email 2FA is
        on); AssertionError when refused."""
        login = {"identifier": self.handle, "password": password, "authFactorToken": "emailed"}
        with self._lock:
            reply = self._create_session(login)
        assert reply.status == 200, reply.body
        access = str(reply.body["accessJwt"])
        return next(s for s in self.sessions if s.access == access)

    def create_app_password(self, session: Session, name: str) -> str:
        """``createAppPassword`` with ``session`` (a leaver's device); returns its value."""
        with self._lock:
            reply = self._create_app_password(session, {"name": name})
        assert reply.status == 200, reply.body
        return str(reply.body["password"])

    def names(self) -> set[str]:
        """The app passwords' names."""
        return set(self.app_passwords)

    def open_sessions(self) -> int:
        """Sessions whose refresh token still works."""
        return sum(not s.revoked for s in self.sessions)

    def accepts(self, password: str) -> bool:
        """Whether createSession accepts ``password`` now."""
        with self._lock:
            reply = self._create_session({"identifier": self.handle, "password": password})
        return reply.status == 200

    # -- the XRPC server --------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        nsid = request.path.removeprefix("/xrpc/")
        if not request.path.startswith("/xrpc/") or nsid not in LEXICONS:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        kind, required, properties = LEXICONS[nsid]
        wanted = "POST" if kind == "procedure" else "GET"
        if request.method != wanted:
            return _error(400, "InvalidRequest", f"Incorrect HTTP method ({request.method})")
        body: dict[str, Any] = {}
        if kind == "procedure" and nsid not in NO_INPUT:
            if not (request.header("content-type") or "").startswith("application/json"):
                return _error(400, "InvalidRequest", "Wrong request encoding")
            parsed = request.json()
            if not isinstance(parsed, dict):
                return _error(400, "InvalidRequest", "Input must be an object")
            for name in required:
                if name not in parsed:
                    return _error(400, "InvalidRequest", f'Input must have the property "{name}"')
            for name, typ in properties.items():
                if name in parsed and not isinstance(parsed[name], typ):
                    return _error(400, "InvalidRequest", f"Input/{name} must be a {typ.__name__}")
            body = parsed
        if nsid == "com.atproto.server.createSession":
            return self._create_session(body)
        if nsid == "com.atproto.server.deleteSession":
            return self._delete_session(request)
        session = self._access(request)
        if session is None:
            return _error(401, "AuthenticationRequired", "Token could not be verified")
        if session.app_password is not None:  # not allowed with an app password's session
            return _error(400, "InvalidToken", "Bad token scope")
        if nsid == "com.atproto.server.listAppPasswords":
            listed = [
                {"name": n, "createdAt": p["createdAt"], "privileged": p["privileged"]}
                for n, p in self.app_passwords.items()
            ]
            return Reply(200, {"passwords": listed})
        if nsid == "com.atproto.server.revokeAppPassword":
            if not self.stubborn:
                self.app_passwords.pop(body["name"], None)
                for other in self.sessions:
                    if other.app_password == body["name"]:
                        other.revoked = True
            return Reply(200)
        return self._create_app_password(session, body)

    def _create_session(self, body: dict[str, Any]) -> Reply:
        who = str(body["identifier"]).lower()
        known = who in (self.handle.lower(), self.email.lower())
        app_password = next(
            (n for n, p in self.app_passwords.items() if p["password"] == body["password"]), None
        )
        if not known or (body["password"] != self.password and app_password is None):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        if self.email_2fa and app_password is None and body.get("authFactorToken") != "emailed":
            return _error(
                401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address"
            )
        session = Session(secrets.token_urlsafe(24), secrets.token_urlsafe(24), app_password)
        self.sessions.append(session)
        return Reply(
            200,
            {
                "accessJwt": session.access,
                "refreshJwt": session.refresh,
                "handle": self.handle,
                "did": self.did,
                "email": self.email,
                "emailConfirmed": True,
                "emailAuthFactor": self.email_2fa,
                "active": True,
            },
        )

    def _bearer(self, request: Request) -> str:
        auth = request.header("authorization") or ""
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""

    def _access(self, request: Request) -> Session | None:
        token = self._bearer(request)
        return next((s for s in self.sessions if token and s.access == token), None)

    def _delete_session(self, request: Request) -> Reply:
        token = self._bearer(request)
        session = next((s for s in self.sessions if token and s.refresh == token), None)
        if session is None or session.revoked:
            return _error(400, "InvalidToken", "Token has been revoked")
        session.revoked = True
        return Reply(200)

    def _create_app_password(self, session: Session, body: dict[str, Any]) -> Reply:
        if session.app_password is not None:
            return _error(400, "InvalidToken", "Bad token scope")
        name = str(body["name"])
        if name in self.app_passwords:
            return _error(400, "DuplicateAppPassword", "App password name already exists")
        value = "-".join(secrets.token_hex(2) for _ in range(4))
        created = "2026-12-03T00:00:00.000Z"
        privileged = bool(body.get("privileged", False))
        self.app_passwords[name] = {
            "password": value,
            "createdAt": created,
            "privileged": privileged,
        }
        return Reply(
            200, {"name": name, "password": value, "createdAt": created, "privileged": privileged}
        )
