"""Files the tool writes (config, exports, reports, logs) are private, and never a trap.

- Created 0600; an existing regular file is tightened to 0600. Folders the tool creates
  are 0700 at every level it creates (not only the last one). A file the user names
  (``--out``, ``--log-file``) is written only into a folder that exists: a mistyped
  path is an error, not a new folder.
- A symlink is never followed: writing to ``--out link`` would otherwise truncate
  whatever the link points at (``/etc/...`` when run as root).
- A regular file is replaced atomically: the text goes to a private temporary file in
  the same folder, which replaces the target only when the writer finishes without an
  error, so a failed report never leaves half a file behind.
- Devices and pipes (``/dev/null``, ``/dev/stdout``, a FIFO) are written in place and
  their permissions are left alone.

A path that cannot be written is the user's error: one line naming the path and why.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path
from types import TracebackType
from typing import TextIO

from accessguard.errors import UsageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and every missing parent, each 0700 (existing ones are left as they are)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _unwritable(path, exc) from None
        os.chmod(path, 0o700)  # the umask may have narrowed or the mode been widened


class _ReplaceOnClose(io.TextIOWrapper):
    """A text file written to a temporary name that replaces ``target`` on a clean close."""

    def __init__(self, fd: int, *, tmp: Path, target: Path, newline: str | None) -> None:
        super().__init__(io.BufferedWriter(io.FileIO(fd, "w")), encoding="utf-8", newline=newline)
        self._tmp = tmp
        self._target = target
        self._failed = False

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._failed = exc_type is not None
        self.close()

    def close(self) -> None:
        """Flush and close; move the text into place unless the writer failed."""
        if self.closed:
            return
        try:
            super().close()
        except BaseException:
            self._failed = True
            raise
        finally:
            if self._failed:
                self._tmp.unlink(missing_ok=True)
            else:
                os.replace(self._tmp, self._target)


def open_private(
    path: Path, *, append: bool = False, newline: str | None = None, folders: bool = True
) -> TextIO:
    """Open ``path`` for writing as described in the module docstring (UsageError if it cannot be).

    ``folders=False`` (a path the user named) refuses a missing folder instead of making it.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UsageError(
            f"refusing to write {path}: it is a symbolic link",
            hint="name the real file instead; the tool never writes through a link",
            code="output-symlink",
        )
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        return _open_special(path, append=append, newline=newline)
    if not folders and not path.parent.is_dir():
        raise UsageError(
            f"cannot write {path}: the folder {path.parent} does not exist",
            hint="check the path, or create the folder first",
            code="output-error",
        )
    make_private_dirs(path.parent)
    if append:
        return _open_append(path, newline=newline)
    return _open_replacing(path, newline=newline)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (0600, atomically, never through a link)."""
    with open_private(path) as handle:
        handle.write(text)


def _open_special(path: Path, *, append: bool, newline: str | None) -> TextIO:
    """A device or a pipe: written in place, its mode untouched."""
    flags = os.O_WRONLY | _NOFOLLOW | (os.O_APPEND if append else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    return open(fd, "a" if append else "w", encoding="utf-8", newline=newline)


def _open_append(path: Path, *, newline: str | None) -> TextIO:
    """A log file: appended to, created 0600, tightened to 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        return open(fd, "a", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        raise


def _open_replacing(path: Path, *, newline: str | None) -> TextIO:
    """A regular file: written to a private temporary file that replaces it on success."""
    if path.is_dir():
        raise _unwritable(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    for attempt in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _unwritable(path, exc) from None
        return _ReplaceOnClose(fd, tmp=tmp, target=path, newline=newline)
    raise UsageError(f"cannot write {path}: no free temporary name beside it", code="output-error")


def _unwritable(path: Path, exc: OSError) -> UsageError:
    """The one-line error for a path the tool cannot write."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ELOOP:
        reason = "it is a symbolic link"
    return UsageError(
        f"cannot write {path}: {reason}",
        hint="check the path: its folder must be a folder you can write",
        code="output-error",
    )
