"""The garbage-collector settings of the serve processes (receiver/gc_tuning.py): parsed strictly, applied once
the application is built (a gunicorn worker's hook), left alone when empty. Each case runs in a fresh
interpreter: tuning changes the process it runs in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lineagelens.receiver import gc_tuning


def _python(code: str, tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LINEAGELENS_")}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


REPORT = "import gc, json; print(json.dumps({'thresholds': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"


def test_thresholds_are_three_positive_integers_or_empty_for_the_interpreters_defaults() -> None:
    assert gc_tuning.parse(" 10000, 20,20 ") == (10000, 20, 20)
    assert gc_tuning.parse("") is None
    for bad in ("10000,20", "a,b,c", "0,10,10", "1,2,3,4"):
        with pytest.raises(ValueError, match="LINEAGELENS_GC_THRESHOLDS"):
            gc_tuning.parse(bad)


def test_tuning_freezes_what_was_built_and_sets_the_thresholds(tmp_path: Path) -> None:
    tuned = _python(f"from lineagelens.receiver import gc_tuning; gc_tuning.tune((5000, 7, 9)); {REPORT}", tmp_path)
    assert tuned["thresholds"] == [5000, 7, 9]
    assert int(str(tuned["frozen"])) > 1000  # the modules imported so far
    untouched = _python(f"from lineagelens.receiver import gc_tuning; gc_tuning.tune(None); {REPORT}", tmp_path)
    assert untouched == {"thresholds": [700, 10, 10], "frozen": 0}


def test_a_gunicorn_worker_is_tuned_with_its_applications_setting_once_it_is_built(tmp_path: Path) -> None:
    worker = ("from types import SimpleNamespace; from lineagelens.receiver import server; "
              "from lineagelens.receiver.app import create_app; "
              "app = create_app({'DATABASE_URL': 'sqlite:///' + 'state.db', 'WORKER_ENABLED': False, "
              "'GC_THRESHOLDS': '4000,11,12'}); "
              f"server._worker_ready(SimpleNamespace(wsgi=app)); {REPORT}")
    assert _python(worker, tmp_path, LINEAGELENS_KEY_FILE=str(tmp_path / "key"))["thresholds"] == [4000, 11, 12]
    # an application that is not a receiver's (the benchmarks' baseline) gets the environment's settings
    other = ("from types import SimpleNamespace; from flask import Flask; from lineagelens.receiver import server; "
             f"server._worker_ready(SimpleNamespace(wsgi=Flask('x'))); {REPORT}")
    assert _python(other, tmp_path, LINEAGELENS_GC_THRESHOLDS="3000,8,9")["thresholds"] == [3000, 8, 9]
    assert _python(other, tmp_path, LINEAGELENS_GC_THRESHOLDS="")["thresholds"] == [700, 10, 10]


SETTLING = """
import gc, json, weakref
from lineagelens.receiver import gc_tuning
class Node:
    pass
def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)
report = {}
{tune}
held, alive = cycle()
gc_tuning.settle()
del held
gc.collect()
report["after a collection"] = alive() is not None
gc_tuning.rest()  # fewer settles than FULL_AT_REST: they wait
report["after rest"] = alive() is not None
gc_tuning.collect_settled()
report["after collect_settled"] = alive() is not None
held, alive = cycle()
for _ in range(gc_tuning.FULL_EVERY):
    gc_tuning.settle()
    if _ == 0:
        del held
report["after FULL_EVERY settles"] = alive() is not None
report["frozen"] = gc.get_freeze_count() > 0
print(json.dumps(report))
"""


def test_settled_objects_are_freed_as_usual_and_their_cycles_wait_for_a_full_collection(tmp_path: Path) -> None:
    tuned = _python(SETTLING.replace("{tune}", "gc_tuning.tune((10000, 20, 20))"), tmp_path)
    assert tuned == {"after a collection": True, "after rest": True, "after collect_settled": False,
                     "after FULL_EVERY settles": False, "frozen": True}
    # untuned, settling does nothing: the first cycle goes with the first collection; the second waits for the
    # interpreter's own (the loop allocates too little to start one)
    untuned = _python(SETTLING.replace("{tune}", "gc_tuning.tune(None)"), tmp_path)
    assert untuned == {"after a collection": False, "after rest": False, "after collect_settled": False,
                       "after FULL_EVERY settles": True, "frozen": False}
