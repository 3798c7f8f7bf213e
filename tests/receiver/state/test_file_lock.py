"""The lock that SQLite writers and projection passes take across processes (receiver/state/file_lock.py)."""

from __future__ import annotations

import fcntl
import multiprocessing
import threading
import time
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from lineagelens.receiver.state.file_lock import FileLock


def _hold(path: str, held: Event, release: Event) -> None:
    with FileLock(path):
        held.set()
        release.wait(30)


def test_a_process_waits_for_the_lock_another_process_holds_and_gets_it_when_released(tmp_path: Path) -> None:
    path = str(tmp_path / "db-writer.lock")
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold, args=(path, held, release))
    other.start()
    try:
        assert held.wait(30)
        lock = FileLock(path)
        acquired: list[float] = []
        waiter = threading.Thread(target=lambda: (lock.acquire(timeout=30), acquired.append(time.monotonic())))
        waiter.start()
        waiter.join(0.5)
        assert not acquired  # still held by the other process
        released_at = time.monotonic()
        release.set()
        waiter.join(30)
        assert acquired and acquired[0] >= released_at
        lock.release()
    finally:
        release.set()
        other.join(30)
    assert oct((tmp_path / "db-writer.lock").stat().st_mode & 0o777) == "0o600"


def test_a_forked_child_takes_the_lock_on_a_descriptor_of_its_own(tmp_path: Path) -> None:
    """flock belongs to an open file description, which fork shares: a child using its parent's descriptor
    would hold the lock *for* the parent too (a gunicorn worker forked from a master that migrated)."""
    lock = FileLock(str(tmp_path / "x.lock"))
    with lock:
        pass  # the parent's descriptor is open now
    ctx = multiprocessing.get_context("fork")
    held, release = ctx.Event(), ctx.Event()

    def child() -> None:
        with lock:
            held.set()
            release.wait(30)

    proc = ctx.Process(target=child)
    proc.start()
    try:
        assert held.wait(30)
        assert lock._fd is not None
        with pytest.raises(BlockingIOError):  # the parent's own descriptor is excluded by the child's hold
            fcntl.flock(lock._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        release.set()
        proc.join(30)
