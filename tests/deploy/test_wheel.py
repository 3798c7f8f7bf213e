"""The wheel (what the container image and `pip install lineagelens` get) carries the package data the receiver
needs at run time: the OpenLineage schemas, the Alembic template and the built web UI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tracked_tree(dest: Path) -> None:
    """The repository's tracked files (no build output, no virtualenv) plus a stand-in UI build."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / "receiver" / "ui_dist" / "assets").mkdir(parents=True, exist_ok=True)
    (dest / "receiver" / "ui_dist" / "index.html").write_text("<!doctype html>")
    (dest / "receiver" / "ui_dist" / "assets" / "app.js").write_text("")


def test_the_wheel_ships_schemas_migrations_and_the_ui(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    _tracked_tree(tree)
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(tree)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel, = (tmp_path / "dist").glob("lineagelens-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in ("lineagelens/receiver/openlineage/spec/OpenLineage.json",
                   "lineagelens/receiver/migrations/script.py.mako",
                   "lineagelens/receiver/migrations/versions/0001_initial_schema.py",
                   "lineagelens/receiver/ui_dist/index.html",
                   "lineagelens/receiver/ui_dist/assets/app.js"):
        assert wanted in names, f"{wanted} is missing from the wheel"
    assert any(n.startswith("lineagelens/receiver/openlineage/spec/facets/") for n in names)
