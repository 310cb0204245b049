"""The base class of HTTP connectors: base URL, token from the secrets, calls through the shared client.

A connector declares its platform's API hosts in ``official_hosts``; every call goes
through ``HttpClient.request`` pinned to the origin of ``base_url``, where the egress
rules (``egress.py``) decide whether the token may be sent at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from accessguard.connectors.base import AccountRef, Connector
from accessguard.errors import ConfigError, PermanentConnectorError
from accessguard.secret import Secret

if TYPE_CHECKING:
    import requests


class HttpConnector(Connector):
    """A connector that speaks HTTP through the shared ``HttpClient``.

    The client (and with it ``requests``) is built on the first call, so a connector
    that turns out to have no secret or settings costs no HTTP imports.
    """

    default_base_url: ClassVar[str] = ""
    #: the platform's own API hosts (https, port 443); any other host must be in
    #: ``[connectors] allowed_hosts``. Empty for self-hosted or per-customer APIs.
    official_hosts: ClassVar[tuple[str, ...]] = ()
    secret_keys: ClassVar[tuple[str, ...]] = ("token",)
    _http: Any = None

    def __init__(
        self,
        *,
        settings: Mapping[str, Any],
        secrets: Mapping[str, Secret],
        http: Any = None,
        account: AccountRef | None = None,
    ) -> None:
        super().__init__(settings=settings, secrets=secrets, http=http, account=account)
        missing = [key for key in self.required_settings() if not self.settings.get(key)]
        if missing:
            raise ConfigError(
                f"{self.label}: missing connector setting(s): {', '.join(missing)}",
                hint="set them in the account's settings (non-secret ids and URLs only)",
                code="connector-settings",
            )

    @property
    def http(self) -> Any:
        """The HTTP client given to the constructor, else one that reaches only official hosts."""
        if self._http is None:
            from accessguard.connectors.http import HttpClient

            self._http = HttpClient()
        return self._http

    @http.setter
    def http(self, value: Any) -> None:
        self._http = value

    @property
    def label(self) -> str:
        """How messages name this connector: ``meta[brand-facebook]``."""
        return f"{self.name}[{self.account.name}]" if self.account else self.name

    @property
    def rate_key(self) -> str:
        """Whose token bucket this connector's calls take from (``ratelimit.py``).

        Per platform and API host by default; connectors whose platform limits a
        business (Meta, Pinterest, TikTok) name the business, so the accounts of one
        business share one bucket.
        """
        from urllib.parse import urlsplit

        return f"{self.name}:{urlsplit(self.base_url).netloc}"

    @property
    def base_url(self) -> str:
        """The API root (``settings.base_url`` overrides the platform's public one)."""
        return str(self.settings.get("base_url") or self.default_base_url).rstrip("/")

    def secret(self, key: str = "token") -> str:
        """A secret's value, for a header only; ConfigError with the fix when absent."""
        value = self.secrets.get(key)
        if not value:
            from accessguard.connectors.tokens import missing_hint

            ref = self.account or AccountRef("<account>", self.name)
            raise ConfigError(
                f"{self.label}: no {key!r} secret",
                hint=missing_hint(ref.kind, ref.name, key, vault_root=ref.vault_root),
                code="connector-secret-missing",
            )
        return value.reveal()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method`` to ``base_url + path``, or to an absolute URL on the same origin.

        A ``next`` link given as ``path`` must keep ``base_url``'s scheme, host and port:
        the client refuses it otherwise, before sending the token.
        """
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        response: requests.Response = self.http.request(
            method,
            url,
            service=self.label,
            connector=self.name,
            official_hosts=self.official_hosts,
            origin=self.base_url,
            rate_key=self.rate_key,
            **kwargs,
        )
        return response

    def call_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``call``, and the answer's JSON (``json_of``)."""
        return self.json_of(self.call(method, path, **kwargs), method, path)

    def json_of(self, response: requests.Response, method: str, path: str) -> Any:
        """The answer's JSON: an object or a list (``{}`` for an empty body).

        A platform answering anything else (an HTML error page behind a 200, a truncated
        body) fails with one clear error (``connector-bad-answer``), never a parser's traceback.
        """
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict | list):
            from urllib.parse import urlsplit

            raise PermanentConnectorError(
                f"{self.label}: {method} {urlsplit(path).path} answered with something that is "
                "not JSON",
                hint="check the connector's base_url and the platform's status",
                code="connector-bad-answer",
            )
        return body

    def cannot_list(self) -> NoReturn:
        """Raise: this platform has no API to list who holds access."""
        raise PermanentConnectorError(
            f"{self.label}: this connector cannot list who holds access",
            hint="reconcile skips connectors whose can_list is false",
            code="connector-cannot-list",
        )
