"""Evidence for a manual step: a note, and optionally a file's SHA-256 and name (never its content).

The file is read safely: only a regular file (a FIFO, a device or a directory is
refused before anything is read, so ``/dev/zero`` cannot hang the command), at most
``MAX_EVIDENCE_BYTES``, streamed through the hash; nothing of it is stored but the
digest and the file's base name.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from accessguard.errors import InputError
from accessguard.secret import redact

#: The largest evidence file hashed (a screenshot, a PDF export, a ticket dump).
MAX_EVIDENCE_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a person gives to confirm a manual item: a note, and a file's digest and name."""

    note: str
    file_name: str | None = None
    file_sha256: str | None = None

    def to_audit(self) -> dict[str, str | None]:
        """The evidence as audit details (the note redacted)."""
        details: dict[str, str | None] = {"evidence": redact(self.note)}
        if self.file_sha256 is not None:
            details["evidence_file"] = self.file_name
            details["evidence_sha256"] = self.file_sha256
        return details


def evidence_of(note: str | None, path: Path | None) -> Evidence:
    """The evidence from ``--evidence`` and ``--evidence-file``; InputError when there is none."""
    text = (note or "").strip()
    if path is None:
        if not text:
            raise InputError("--evidence: say what was done (a note, a ticket, a file hash)")
        return Evidence(text)
    name, digest = hash_file(path)
    return Evidence(text or f"file {name}", name, digest)


def hash_file(path: Path) -> tuple[str, str]:
    """The base name and SHA-256 of a regular file of at most ``MAX_EVIDENCE_BYTES``."""
    where = f"--evidence-file {path}"
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat refuses it next.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{where}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{where}: not a regular file")
        if info.st_size > MAX_EVIDENCE_BYTES:
            raise InputError(
                f"{where}: larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB; "
                "give the hash of an archive in --evidence instead"
            )
        digest = hashlib.sha256()
        read = 0
        while chunk := handle.read(_CHUNK):
            read += len(chunk)
            if read > MAX_EVIDENCE_BYTES:  # it grew while being read
                raise InputError(f"{where}: grew past the size limit while being read")
            digest.update(chunk)
    return redact(Path(path).name)[:255], digest.hexdigest()
