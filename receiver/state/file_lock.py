"""An exclusive lock shared by the threads of a process and by the processes of a machine.

SQLite lets one connection write at a time and makes the others wait in its busy handler, which sleeps and
polls (1, 2, 5 … 100 ms): a commit that arrives while another process writes waits for the next poll, not
for the writer. Taking this lock before ``BEGIN IMMEDIATE`` queues writers in the kernel instead: ``flock(2)``
wakes the next waiter the moment the lock is released. It also keeps two processes from projecting the same
SQLite database at once (on PostgreSQL an advisory lock does that).
"""

from __future__ import annotations

import fcntl
import os
import threading

PRIVATE = 0o600


class FileLock:
    """A thread lock, then ``flock(LOCK_EX)`` on ``path`` (created 0600, never written, left in place).

    ``flock`` locks belong to an open file description, which a forked child shares with its parent: the
    descriptor is opened lazily and again in a process that did not open it, so a gunicorn worker forked
    from a master that used the lock still excludes the master and its siblings."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the other threads of this process; then for other processes,
        which hold it only as long as one transaction or one projection pass."""
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)  # releases the GIL while it waits
        except BaseException:
            self._threads.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def __enter__(self) -> FileLock:
        self.acquire(timeout=-1)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE)
            self._pid = os.getpid()
        return self._fd
