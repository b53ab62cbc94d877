"""Put a finished folder in place of the published one, with no moment where it is absent.

Every export writes into a folder of its own beside the target (`.<name>.<pid>.<random>.tmp`),
so two exports never share one. The finished folder then trades places with the target in
one step: Linux's `renameat2(RENAME_EXCHANGE)` (macOS: `renamex_np(RENAME_SWAP)`) swaps two
directory entries atomically, so a reader opening `package/...` finds the old package or the
new one, never none. The old package, now under the temporary name, is removed afterwards.

A process killed at any point leaves the target whole (old or new) and at most a temporary
folder, which the next export removes once the process that made it is gone.

Where the system cannot exchange two folders (another OS, a file system without the
operation), two renames are used, target -> `.<name>.<pid>.old` then new -> target; the
short gap between them is the only moment without a package, and a folder left half-swapped
by a kill is put back by the next export (`clean_leftovers`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import sys
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h
RENAME_SWAP = 2  # macOS sys/stdio.h


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically; False where the system cannot.

    Raises FileNotFoundError if either is missing."""
    libc = _libc()
    a, b = os.fsencode(first), os.fsencode(second)
    if libc is not None and sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
    elif libc is not None and sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(a, b, RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.ENOENT:
        raise FileNotFoundError(code, os.strerror(code), str(second))
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the file system cannot: fall back to two renames
    raise OSError(code, os.strerror(code), str(first))


def _owner_alive(folder: Path) -> bool:
    """Whether the process named in a temporary folder's name still runs."""
    try:
        pid = int(folder.name.split(".")[-3])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(target: Path, suffix: str) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.*{suffix}"))


def clean_leftovers(target: Path) -> None:
    """Remove what killed exports left beside `target`; put back a package left half-swapped."""
    if not target.exists():
        for old in _leftovers(target, ".old"):
            if not _owner_alive(old):
                old.rename(target)  # the fallback was killed between its two renames
                break
    for folder in _leftovers(target, ".tmp") + _leftovers(target, ".old"):
        if not _owner_alive(folder):
            shutil.rmtree(folder, ignore_errors=True)
    # Exports before this module wrote `<name>.tmp` and `<name>.old`.
    for name in (f"{target.name}.tmp", f"{target.name}.old"):
        if target.exists():
            shutil.rmtree(target.with_name(name), ignore_errors=True)


def new_folder(target: Path) -> Path:
    """An empty folder of this process's own beside `target`, on the same file system."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    folder.mkdir()
    return folder


def swap_in(folder: Path, target: Path) -> None:
    """Make the finished `folder` the `target`; the previous target is removed."""
    for _ in range(3):
        try:
            if exchange(folder, target):
                shutil.rmtree(folder, ignore_errors=True)  # now the previous package
                return
            break
        except FileNotFoundError:  # no package yet: a plain rename puts this one in place
            try:
                folder.rename(target)
                return
            except OSError as error:  # another export put one there meanwhile: exchange
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
    old = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
    if target.exists():
        target.rename(old)
    folder.rename(target)
    shutil.rmtree(old, ignore_errors=True)
