"""Private files: created 0600, existing ones tightened, devices left alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from accessguard.errors import UsageError
from accessguard.files import open_private, write_private


def test_created_and_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.txt"
    write_private(path, "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    with open_private(path, append=True) as handle:
        handle.write("y")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "xy"


def test_device_mode_untouched() -> None:
    before = stat.S_IMODE(os.stat("/dev/null").st_mode)
    with open_private(Path("/dev/null")) as handle:
        handle.write("discarded")
    assert stat.S_IMODE(os.stat("/dev/null").st_mode) == before


def test_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    """An attacker's link at the output path must not truncate what it points at."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "report.html"
    link.symlink_to(victim)
    with pytest.raises(UsageError, match="symbolic link"):
        write_private(link, "attacker-chosen text")
    assert victim.read_text() == "precious"


def test_symlink_refused_for_log_appends(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "run.log"
    link.symlink_to(victim)
    with pytest.raises(UsageError):
        open_private(link, append=True)
    assert victim.read_text() == "precious"


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(UsageError):
        write_private(link, "x")
    assert not (tmp_path / "would-be-created").exists()


def test_created_folders_are_private_all_the_way_down(tmp_path: Path) -> None:
    write_private(tmp_path / "a" / "b" / "c" / "out.txt", "x")
    modes = [stat.S_IMODE((tmp_path / p).stat().st_mode) for p in ("a", "a/b", "a/b/c")]
    assert modes == [0o700, 0o700, 0o700]


def test_failed_writer_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("old report")
    with pytest.raises(RuntimeError), open_private(path) as handle:
        handle.write("half a new rep")
        raise RuntimeError("renderer failed")
    assert path.read_text() == "old report"


def test_failed_writer_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    with pytest.raises(RuntimeError), open_private(path) as handle:
        handle.write("x")
        raise RuntimeError("renderer failed")
    assert list(tmp_path.iterdir()) == []


def test_replaced_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_replaced_file_has_the_new_text(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("old")
    write_private(path, "new")
    assert path.read_text() == "new"


def test_path_under_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("x")
    with pytest.raises(UsageError, match=r"cannot write .*plain/x"):
        write_private(plain / "x", "y")


def test_directory_target_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_private(tmp_path, "y")


def test_a_path_the_user_named_is_never_given_a_new_folder(tmp_path: Path) -> None:
    target = tmp_path / "typo" / "report.html"
    with pytest.raises(UsageError) as caught:
        open_private(target, folders=False)
    assert (
        caught.value.message == f"cannot write {target}: the folder {target.parent} does not exist"
    )
    assert not target.parent.exists()
