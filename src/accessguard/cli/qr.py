"""Show an otpauth URI once, as a terminal QR code (TOTP custody and step-up enrolment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accessguard.cli.output import info

if TYPE_CHECKING:
    from accessguard.secret import Secret


def show_once(uri: Secret, *, err: bool = False) -> None:
    """Print the otpauth URI as a terminal QR code, once (on stderr with ``err``).

    Callers check first (``options.refuse_secret_to_file``) that the stream is a terminal
    or that the user asked for the secret anyway.
    """
    import io

    import segno

    buffer = io.StringIO()
    segno.make(uri.reveal(), error="m").terminal(out=buffer, compact=True)
    click.echo(buffer.getvalue(), err=err)
    info("scan this QR code now: it is shown once and the seed export is recorded")
