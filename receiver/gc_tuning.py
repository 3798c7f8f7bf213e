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
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)

DEFAULT = (10000, 20, 20)  # LINEAGELENS_GC_THRESHOLDS when unset (config.py)


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
    log.debug("gc: %d objects frozen, thresholds %s", gc.get_freeze_count(), thresholds)
