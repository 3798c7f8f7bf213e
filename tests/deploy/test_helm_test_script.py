"""The chart's `helm test` script (charts/lineagelens/files/helm-test.py) against a real receiver: it passes when
an ingest key can post and a read key can read the lineage back, and fails when either key cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integrations.support import Receiver

SCRIPT = Path(__file__).resolve().parents[2] / "charts" / "lineagelens" / "files" / "helm-test.py"


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    receiver = Receiver(tmp_path_factory.mktemp("receiver-helm-test")).start()
    yield receiver
    receiver.stop()


def run_script(receiver: Receiver, ingest_key: str, read_key: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINEAGELENS_")}
    env |= {"LINEAGELENS_URL": receiver.url, "LINEAGELENS_TEST_INGEST_KEY": ingest_key,
            "LINEAGELENS_TEST_READ_KEY": read_key, "LINEAGELENS_TEST_TIMEOUT": "20"}
    return subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def test_posts_a_run_and_reads_its_lineage_back(receiver):
    done = run_script(receiver, receiver.ingest_key, receiver.read_key)
    assert done.returncode == 0, done.stderr
    assert "read its lineage back" in done.stdout
    jobs = receiver.jobs("lineagelens-helm-test")
    assert any(name.startswith("helm-test-") for name in jobs)


def test_fails_when_the_ingest_key_cannot_post(receiver):
    done = run_script(receiver, receiver.read_key, receiver.read_key)
    assert done.returncode == 1
    assert "POST /api/v1/lineage answered 403" in done.stderr


def test_fails_when_the_read_key_cannot_read(receiver):
    done = run_script(receiver, receiver.ingest_key, receiver.ingest_key)
    assert done.returncode == 1
    assert "GET /api/v1/lineage answered 403" in done.stderr
