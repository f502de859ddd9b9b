"""The study lock: one ``clusterdx run`` at a time builds a project folder.

``data_clean/.clusterdx.lock`` is held with ``flock`` (POSIX) or ``msvcrt.locking`` (Windows), so the
OS releases it if the process dies; the holder's pid is written into it for the message a second run
prints. Standard library only: the up-to-date check (`clusterdx.tasks.stamp`) takes it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clusterdx.errors import ClusterDXError
from clusterdx.study import Study

LOCK_NAME = ".clusterdx.lock"


@contextmanager
def study_lock(study: Study) -> Iterator[Path]:
    """Hold ``data_clean/.clusterdx.lock`` for the duration of a run.

    Raises
    ------
    ClusterDXError
        Another process (or another open handle) holds the lock: a run is already building
        this study.
    """
    path = study.clean_dir / LOCK_NAME
    handle = path.open("a+", encoding="utf-8")
    try:
        _lock_file(handle)
    except OSError:
        try:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
        except OSError:  # Windows refuses to read a locked range
            holder = "unknown"
        handle.close()
        raise ClusterDXError(
            f"another clusterdx run (pid {holder}) is building this study: {path} is locked; "
            "wait for it to finish, then run again"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        _unlock_file(handle)
        handle.close()


def _lock_file(handle) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(handle) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
