"""Maps the import namespace ``lineagelens.*`` onto the top-level folders; metadata lives in setup.cfg."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
# import name -> folder; every folder below holding an __init__.py is a package.
ROOTS = {
    "lineagelens.receiver": "receiver",
    "lineagelens.integrations": "integrations",
    "lineagelens.plugins": "plugins",
}


def _packages() -> list[str]:
    found = []
    for prefix, folder in ROOTS.items():
        for init in sorted((HERE / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(HERE / folder)
            if "node_modules" in rel.parts or "examples" in rel.parts:
                continue
            found.append(".".join([prefix, *rel.parts]))
    return found


setup(packages=_packages(), package_dir=ROOTS)
