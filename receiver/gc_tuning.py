"""Garbage-collector settings for the long-running processes of ``lineagelens serve``.

CPython's cyclic collector walks every tracked object of the process in a full (generation 2) collection, which
it starts once generation 1 has been collected ``threshold[2]`` times and a quarter more objects survived than
the last full collection found. A receiver holds many objects for its whole life (the modules, Flask,
SQLAlchemy's metadata and statement cache, the plugins) and, while projecting, a batch of parsed events (a
Spark event of ~9 KB of JSON is hundreds of dicts and lists). With the interpreter's defaults (700, 10, 10) the
projection of 3,000 bench events into PostgreSQL + Neo4j ran 11 full collections that took 2.4 s between them:
more than a third of its CPU (docs/benchmarks.md, "fifth round").

So each process, once its application is built, calls :func:`tune`:

- ``gc.freeze()`` moves every object built so far to the permanent generation, which no collection walks
  again (they live as long as the process anyway);
- ``gc.set_threshold`` (``LINEAGELENS_GC_THRESHOLDS``, default ``10000,20,20``) collects generation 0 after
  10,000 net allocations instead of 700, so a batch's short-lived objects are mostly freed by reference counting
  before a collection looks at them, and the older generations are walked less often.

Cyclic garbage still gets collected: later, in larger and fewer passes. Memory over an hour is measured by
``bench/soak.py``.

A tuned process also **settles** large projection batches (:func:`settle`, called by the projector once a batch
of at least :data:`SETTLE_MIN_EVENTS` events is built): a batch's parsed events and rows (hundreds of thousands
of containers) live until its writes are done, and every young collection their writes trigger walked them
again; in a 6,000-event drain into PostgreSQL + Neo4j the collector took ~10 % of the CPU, mostly walking them.
Settling freezes everything alive, so collections stop walking it; reference counting still frees it all as
usual. Only cyclic garbage among settled objects waits, for :func:`collect_settled`: it unfreezes, collects in
full and freezes again (~60 ms in a background process), every :data:`FULL_EVERY` settles, and when a drain ends
after at least :data:`FULL_AT_REST` (:func:`rest`). What a quieter drain settled waits for later settles: little
of it is cyclic (parsed JSON and graph rows hold no cycles), and no more than :data:`FULL_EVERY` settles' worth.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)

DEFAULT = (10000, 20, 20)  # LINEAGELENS_GC_THRESHOLDS when unset (config.py)
SETTLE_MIN_EVENTS = 100  # a smaller batch leaves few objects to settle: not worth a share of a full collection
FULL_EVERY = 40  # settles between full collections of what was settled (~20,000 events in batches of 500)
FULL_AT_REST = 10  # settles after which a drain that ends collects them (a burst of ~5,000 events)


class _Settling:
    """Whether this process settles (it was tuned) and how many settles wait for a full collection."""

    def __init__(self) -> None:
        self.enabled = False
        self.pending = 0
        self.lock = threading.Lock()


_settling = _Settling()


def parse(value: str) -> tuple[int, int, int] | None:
    """``LINEAGELENS_GC_THRESHOLDS``: three positive integers, or empty for the interpreter's defaults."""
    text = value.strip()
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 3 or min(numbers) < 1:
        raise ValueError("LINEAGELENS_GC_THRESHOLDS must be three positive integers like "
                         f"{','.join(map(str, DEFAULT))}, got {value!r}")
    return numbers[0], numbers[1], numbers[2]


def tune(thresholds: Sequence[int] | None) -> None:
    """Freeze what the process built so far and set the collection thresholds (None: leave both alone)."""
    if thresholds is None:
        return
    gc.collect()  # what startup left as garbage goes now, not into the permanent generation
    gc.freeze()
    first, second, third = thresholds
    gc.set_threshold(first, second, third)
    _settling.enabled = True
    log.debug("gc: %d objects frozen, thresholds %s", gc.get_freeze_count(), thresholds)


def settle() -> None:
    """A large batch was just built and lives until its writes are done: freeze everything alive (see the module
    docstring). Nothing unless the process was tuned."""
    with _settling.lock:
        if not _settling.enabled:
            return
        gc.freeze()
        _settling.pending += 1
        full = _settling.pending >= FULL_EVERY
    if full:
        collect_settled()


def rest() -> None:
    """A drain ended: collect what it and the drains before it settled, if that is at least FULL_AT_REST settles."""
    collect_settled(minimum=FULL_AT_REST)


def collect_settled(minimum: int = 1) -> None:
    """Collect the cyclic garbage among settled objects: unfreeze, collect in full, freeze what is left (the
    startup objects with it, as :func:`tune` did). Nothing if fewer than ``minimum`` settles wait."""
    with _settling.lock:
        if _settling.pending < max(minimum, 1):
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _settling.pending = 0
