"""Where a connector's token may go: the rules ``HttpClient`` applies before every send.

A request goes out only if its origin (scheme, host, port) is

- an official host of the connector's platform (``Connector.official_hosts``), over
  https on port 443; or
- an entry of ``[connectors.<name>] allowed_hosts`` for that connector (``scim``,
  ``okta``, ``jira``, ``webhook``...), or of ``[connectors] allowed_hosts``, which
  applies to **every** connector, in the config file (``host`` means the scheme's
  default port, ``host:port`` exactly that port); plain http only to a loopback host
  listed there.

A request that follows another one (a ``next`` link, an HTTP redirect) must keep the
origin the token was first sent to: same scheme, host and port. Account settings and
CSV files can point ``base_url`` anywhere; these rules decide whether anything is sent.
Refusals name the host and the setting to change, never the token or a full URL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from accessguard.errors import ConfigError, PermanentConnectorError

SETTING = "[connectors] allowed_hosts"
#: Connector names that may head a ``[connectors.<name>]`` table (the registry's names).
_CONNECTOR_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def connector_setting(connector: str) -> str:
    """The per-connector setting's name, as the config file spells it."""
    return f"[connectors.{connector}] allowed_hosts"


_DEFAULT_PORTS = {"https": 443, "http": 80}
_HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class EgressRefusedError(PermanentConnectorError):
    """A request would have sent a connector's credentials somewhere they may not go."""

    code = "connector-egress-refused"


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: what a token is bound to."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        """``host`` on the scheme's default port, else ``host:port`` (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def _host(raw: str) -> str | None:
    """A lower-case DNS name or IP literal, or None if ``raw`` is neither."""
    host = raw.lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host if _HOSTNAME.match(host) else None


def origin_of(url: str, *, service: str) -> Origin:
    """The origin of an absolute http(s) URL; refused if it hides its host (userinfo, ``\\``)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    host = _host(parts.hostname or "") if parts else None
    if (
        parts is None
        or parts.scheme not in _DEFAULT_PORTS
        or host is None
        or "@" in parts.netloc
        or "\\" in url
    ):
        raise EgressRefusedError(
            f"{service}: refused a request to a URL that is not a plain http(s) URL",
            hint="check the account's base_url setting (scheme://host[:port]/path, no user@)",
        )
    return Origin(parts.scheme, host, port or _DEFAULT_PORTS[parts.scheme])


@dataclass(frozen=True)
class AllowedHost:
    """One ``allowed_hosts`` entry: a host, and a port (None: the scheme's default)."""

    host: str
    port: int | None

    @classmethod
    def parse(cls, entry: str) -> AllowedHost:
        """``host``, ``host:port`` or ``[v6]:port``; ConfigError naming the entry otherwise."""
        text = entry.strip().lower()
        match = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d+))?|([^:\[\]/@]+)(?::(\d+))?", text)
        host = _host((match.group(1) or match.group(3)) if match else "")
        port = int(match.group(2) or match.group(4) or 0) if match else 0
        if match is None or host is None or not 0 <= port <= 65535:
            raise ConfigError(
                f"{SETTING}: {entry!r} is not a host or host:port",
                hint='write entries such as "scim.example.com" or "127.0.0.1:8443" (no scheme)',
                code="config-allowed-hosts",
            )
        return cls(host, port or None)

    def admits(self, origin: Origin) -> bool:
        """True if ``origin`` is this entry's host on its port (or the default port)."""
        wanted = self.port or _DEFAULT_PORTS[origin.scheme]
        return origin.host == self.host and origin.port == wanted


@dataclass(frozen=True)
class EgressPolicy:
    """The admin's allowed hosts (for all connectors and per connector), with official hosts."""

    allowed: tuple[AllowedHost, ...] = ()
    by_connector: Mapping[str, tuple[AllowedHost, ...]] = field(default_factory=dict)

    @classmethod
    def from_setting(
        cls, entries: Iterable[str], by_connector: Mapping[str, Iterable[str]] | None = None
    ) -> EgressPolicy:
        """Parse ``[connectors] allowed_hosts`` and each ``[connectors.<name>] allowed_hosts``.

        ConfigError on a malformed entry or connector name.
        """
        per: dict[str, tuple[AllowedHost, ...]] = {}
        for name, hosts in (by_connector or {}).items():
            if not _CONNECTOR_NAME.fullmatch(name):
                raise ConfigError(
                    f"[connectors.{name}]: not a connector name",
                    hint="use the connector's registry name, e.g. [connectors.scim]",
                    code="config-allowed-hosts",
                )
            per[name] = tuple(AllowedHost.parse(entry) for entry in hosts)
        return cls(tuple(AllowedHost.parse(entry) for entry in entries), per)

    def check(
        self,
        url: str,
        *,
        service: str,
        official_hosts: Collection[str] = (),
        origin: str | None = None,
        connector: str | None = None,
    ) -> Origin:
        """The origin of ``url`` if credentials may be sent there; EgressRefusedError if not.

        ``origin`` is where the token was first sent (the API root, or the request a
        redirect answered): ``url`` must keep its scheme, host and port. ``connector``
        (the registry name) adds that connector's own allowed hosts; no other's apply.
        """
        target = origin_of(url, service=service)
        if origin is not None:
            first = origin_of(origin, service=service)
            if target != first:
                raise EgressRefusedError(
                    f"{service}: refused to follow a link or redirect from {first.scheme}://"
                    f"{first} to {target.scheme}://{target}: a token stays on its origin",
                    hint="the platform (or whoever answered) pointed elsewhere; nothing was sent",
                )
            target = first
        official = target.host in {h.lower() for h in official_hosts}
        if target.scheme == "https" and official and target.port == 443:
            return target
        own = self.by_connector.get(connector, ()) if connector else ()
        admitted = any(entry.admits(target) for entry in (*self.allowed, *own))
        if admitted and (target.scheme == "https" or target.loopback):
            return target
        if target.scheme == "http" and (admitted or official):
            reason = "plain http is refused (https only, except to an allowed loopback host)"
            hint = f"use https://{target.host}; check the account's base_url setting"
        else:
            setting = connector_setting(connector) if connector else SETTING
            listed = f"{setting} or {SETTING}" if connector else SETTING
            reason = f"not an official host of this platform and not in {listed}"
            hint = (
                f'if an admin trusts it for this connector, add "{target}" to {setting} in '
                "the config file; otherwise check who set the account's base_url"
            )
        raise EgressRefusedError(
            f"{service}: refused to send credentials to {target.scheme}://{target}: {reason}",
            hint=hint,
        )
