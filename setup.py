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


# Data files, declared per package that holds them (the [options.package_data] of setup.cfg is not applied
# to packages found through package_dir, so a wheel built from it had no UI and no OpenLineage schemas).
PACKAGE_DATA = {
    "lineagelens.receiver": ["ui_dist/*", "ui_dist/assets/*"],
    "lineagelens.receiver.openlineage": ["spec/*.json", "spec/*.md", "spec/facets/*.json"],
    "lineagelens.receiver.migrations": ["*.mako"],
}

setup(packages=_packages(), package_dir=ROOTS, package_data=PACKAGE_DATA)
