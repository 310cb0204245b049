"""Attack: a secret value that reaches a log call, an error message or audit details never leaves redacted-less.

The filter on every handler is the last line of defence, so these tests send a known
secret through each path and read what came out (file and stderr), not whether a filter
was installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessguard.audit.redaction import redact_details
from accessguard.errors import ConnectorError
from accessguard.logs import configure
from accessguard.secret import Secret, redact

VALUE = "Zq8-canary-value-4471-never-logged"


@pytest.fixture
def secret() -> Secret:
    """A secret this process wrapped (as Vault reads and rotations do)."""
    return Secret(VALUE)


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[Path]:
    """The CLI's logging set-up, writing to a file; restored afterwards."""
    path = tmp_path / "run.log"
    configure(log_file=path, verbose=True)
    yield path
    root = logging.getLogger("accessguard")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


@pytest.mark.usefixtures("secret")
def test_log_file_never_holds_a_secret_passed_as_an_argument(logged: Path) -> None:
    logging.getLogger("accessguard.test").warning("platform said: token %s rejected", VALUE)
    assert VALUE not in logged.read_text()


@pytest.mark.usefixtures("secret")
def test_log_file_still_says_what_happened(logged: Path) -> None:
    logging.getLogger("accessguard.test").warning("platform said: token %s rejected", VALUE)
    assert "rejected" in logged.read_text()


def _log_a_traceback() -> None:
    try:
        raise ConnectorError(f"HTTP 401 for https://api.example/?access_token={VALUE}")
    except ConnectorError:
        logging.getLogger("accessguard.test").exception("revoke failed")


@pytest.mark.usefixtures("secret")
def test_a_logged_traceback_never_holds_a_secret(logged: Path) -> None:
    """An exception's message (a URL with a token) is formatted redacted, not raw."""
    _log_a_traceback()
    assert VALUE not in logged.read_text()


@pytest.mark.usefixtures("secret")
def test_a_logged_traceback_is_still_there(logged: Path) -> None:
    _log_a_traceback()
    assert "ConnectorError: HTTP 401" in logged.read_text()


@pytest.mark.usefixtures("secret")
def test_error_messages_are_redacted() -> None:
    assert VALUE not in redact(f"could not log in with {VALUE}")


@pytest.mark.usefixtures("secret")
def test_audit_details_are_redacted() -> None:
    details = redact_details({"response": {"body": f"echo {VALUE}"}, "note": VALUE})
    assert VALUE not in repr(details)
