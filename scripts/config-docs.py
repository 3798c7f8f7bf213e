"""Rewrite the settings table in docs/configuration.md from receiver/config.py (run after adding a setting)."""

from __future__ import annotations

import re
from pathlib import Path

from lineagelens.receiver.config import describe

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def table() -> str:
    rows = ["| variable | default | what |", "| --- | --- | --- |"]
    for row in describe():
        default = row["default"]
        shown = "(empty)" if default == "" else f"`{default}`"
        rows.append(f"| `{row['env']}` | {shown} | {row['help']} |")
    return "\n".join(rows)


def main() -> None:
    text = DOC.read_text()
    start, end = "<!-- settings -->", "<!-- /settings -->"
    new = re.sub(rf"{re.escape(start)}.*{re.escape(end)}", f"{start}\n{table()}\n{end}", text, flags=re.S)
    DOC.write_text(new)


if __name__ == "__main__":
    main()
