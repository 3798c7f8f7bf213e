"""The wake bus (receiver/wake_bus.py): the processes of one ``lineagelens serve`` wake each other by topic."""

from __future__ import annotations

import threading
from pathlib import Path

from lineagelens.receiver import wake_bus
from lineagelens.receiver.wake_bus import WakeBus


def _bus(directory: Path, topics: str, name: str, woken: dict[str, threading.Event]) -> WakeBus:
    bus = WakeBus(str(directory), {t: woken.setdefault(f"{name}:{t}", threading.Event()).set for t in topics})
    bus.path = str(directory / f"{name}.{topics or '-'}.sock")  # two buses in one test process: name them apart
    bus.start()
    return bus


def test_a_wake_reaches_the_processes_subscribed_to_its_topic_and_no_other(tmp_path: Path) -> None:
    woken: dict[str, threading.Event] = {}
    projector = _bus(tmp_path, wake_bus.EVENTS + wake_bus.CHANGES, "1", woken)
    api = _bus(tmp_path, wake_bus.CHANGES, "2", woken)
    try:
        api.send(wake_bus.EVENTS)  # an API worker committed events: the projecting process looks
        assert woken["1:p"].wait(5)
        projector.send(wake_bus.CHANGES)  # the projector committed a batch: the API worker's listener looks
        assert woken["2:m"].wait(5)
        assert not woken["1:m"].is_set()  # a process does not wake itself
        assert "2:p" not in woken  # and nobody is woken by a topic it did not subscribe to
    finally:
        projector.stop()
        api.stop()
    assert list(tmp_path.iterdir()) == []  # a stopped bus removes its socket


def test_a_process_that_starts_is_woken_by_the_next_send(tmp_path: Path) -> None:
    # the sender has listed the directory already (nobody subscribed); a background process starting right
    # after must not miss the wakes of the next second (lost wakes cost a poll, up to minutes for delivery)
    woken: dict[str, threading.Event] = {}
    api = _bus(tmp_path, wake_bus.CHANGES, "1", woken)
    try:
        api.send(wake_bus.NOTIFICATIONS)
        late = _bus(tmp_path, wake_bus.NOTIFICATIONS, "2", woken)
        try:
            api.send(wake_bus.NOTIFICATIONS)
            assert woken["2:n"].wait(5)
        finally:
            late.stop()
    finally:
        api.stop()


def test_sending_to_a_process_that_is_gone_neither_fails_nor_blocks(tmp_path: Path) -> None:
    woken: dict[str, threading.Event] = {}
    sender = _bus(tmp_path, "", "1", woken)
    (tmp_path / "99999.p.sock").touch()  # a socket left by a killed process: not a socket any more
    try:
        for _ in range(1000):
            sender.send(wake_bus.EVENTS)
        gone = _bus(tmp_path, wake_bus.EVENTS, "3", woken)
        gone.stop()
        sender.send(wake_bus.EVENTS)
    finally:
        sender.stop()


def test_a_full_queue_drops_wakes_instead_of_blocking_the_sender(tmp_path: Path) -> None:
    woken: dict[str, threading.Event] = {}
    receiver = _bus(tmp_path, wake_bus.EVENTS, "1", woken)
    receiver._stop.set()  # stops reading: its queue fills up
    receiver._thread.join(2)  # type: ignore[union-attr]
    sender = _bus(tmp_path, "", "2", woken)
    try:
        for _ in range(10_000):
            sender.send(wake_bus.EVENTS)  # returns at once every time
    finally:
        sender.stop()
        receiver.stop()
