"""The Dockerfile's rules, checked by reading it: the image cannot be built on machines without Docker Hub
(docs/deploy.md). A small parser (continuation lines joined, comments dropped) splits it into stages."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args_of(self, instruction: str) -> list[str]:
        return [args for name, args in self.instructions if name == instruction]

    def text(self, instruction: str) -> str:
        return "\n".join(self.args_of(instruction))


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages of a Dockerfile."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.IGNORECASE)
            assert match, f"unparsed FROM: {line}"
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], match.group(1))
            stages.append(Stage(base=base, name=match.group(2) or str(len(stages))))
        elif not stages:
            assert instruction == "ARG", f"only ARG may come before the first FROM: {line}"
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip()
        else:
            stages[-1].instructions.append((instruction, rest.strip()))
    return args, stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse(DOCKERFILE.read_text())[1]


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    return stages[-1]


def test_builds_ui_then_wheel_then_a_slim_runtime(stages):
    assert [s.name for s in stages] == ["ui", "wheel", "runtime"]
    ui, wheel, runtime = stages
    assert ui.base.startswith("node:20-")
    assert "npm ci" in ui.text("RUN") and "npm run build" in ui.text("RUN")
    assert "python -m build --wheel" in wheel.text("RUN")
    assert wheel.base.startswith("python:3.11-") and runtime.base.startswith("python:3.11-")
    assert "slim" in runtime.base


def test_ui_dependencies_install_with_the_ui_npm_settings(stages):
    """ui/.npmrc holds settings `npm ci` needs for this lock file; it must be in place before `npm ci` runs."""
    ui = stages[0]
    npmrc = ROOT / "ui" / ".npmrc"
    assert npmrc.exists()
    first_copy = next(i for i, (name, args) in enumerate(ui.instructions) if name == "COPY")
    npm_ci = next(i for i, (name, args) in enumerate(ui.instructions) if name == "RUN" and "npm ci" in args)
    assert first_copy < npm_ci
    assert "ui/.npmrc" in ui.instructions[first_copy][1].split(), "ui/.npmrc is not copied before npm ci"


def test_every_base_image_is_pinned_to_a_version_or_digest(stages):
    for stage in stages:
        image, _, digest = stage.base.partition("@")
        _, _, tag = image.partition(":")
        assert digest.startswith("sha256:") or re.match(r"\d+(\.\d+)*-", tag), (
            f"stage {stage.name}: {stage.base} is not pinned (a version tag or @sha256 digest)")
        assert "latest" not in tag


def test_ui_goes_into_the_package_as_the_makefile_puts_it(stages):
    """`make ui` copies ui/dist into receiver/ui_dist, which setup.py ships as package data."""
    makefile = (ROOT / "Makefile").read_text()
    assert "cp -R ui/dist/. receiver/ui_dist/" in makefile
    copies = stages[1].args_of("COPY")
    assert "--from=ui /src/ui/dist/ receiver/ui_dist/" in copies
    assert '"ui_dist/*"' in (ROOT / "setup.py").read_text()


def test_wheel_stage_copies_every_package_folder_setup_py_maps(stages):
    tree = ast.parse((ROOT / "setup.py").read_text())
    roots = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                 if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ROOTS")
    copies = " ".join(stages[1].args_of("COPY"))
    for folder in [*roots.values(), "setup.py", "setup.cfg", "pyproject.toml", "README.md"]:
        assert re.search(rf"(^|\s){re.escape(folder)}/?(\s|$)", copies), f"{folder} is not copied into the wheel stage"


def test_runtime_runs_as_uid_10001_not_root(final):
    users = final.args_of("USER")
    assert users, "the final stage sets no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user == "10001"
    assert "--uid 10001" in final.text("RUN")


def test_runtime_has_no_build_tools(final):
    run = final.text("RUN")
    for tool in ("apt-get install", "apk add", "gcc", "build-essential", "npm", "node", "python -m build", "make "):
        assert tool not in run, f"the runtime stage installs or runs {tool!r}"
    # dependencies come only as wheels built in the wheel stage, never from an index or an sdist
    assert re.search(r"pip install --no-index --find-links /wheels\b", run)
    assert not [c for c in final.args_of("COPY") if "--from=ui" in c], "the UI sources do not belong in the runtime"


def test_runtime_healthcheck_ports_and_entrypoint(final):
    health = final.text("HEALTHCHECK")
    assert health.startswith("--interval=") and "CMD" in health
    assert "http://127.0.0.1:5000/healthz" in health
    assert final.args_of("EXPOSE") == ["5000"]
    assert json.loads(final.args_of("ENTRYPOINT")[-1]) == ["lineagelens"]
    assert json.loads(final.args_of("CMD")[-1]) == ["serve", "--host", "0.0.0.0", "--port", "5000"]


def test_state_lives_under_the_volume(final):
    assert json.loads(final.args_of("VOLUME")[-1]) == ["/var/lib/lineagelens"]
    env = final.text("ENV")
    assert "LINEAGELENS_DATABASE_URL=sqlite:////var/lib/lineagelens/lineagelens.db" in env
    assert "LINEAGELENS_KEY_FILE=/var/lib/lineagelens/lineagelens.key" in env
    assert "install -d -o 10001 -g 10001 -m 0700 /var/lib/lineagelens" in final.text("RUN")


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        hit = any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1))
        if pattern.startswith("**/"):
            hit = hit or any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        if hit:
            ignored = not negate
    return ignored


def test_dockerignore_keeps_state_and_secrets_out_and_the_sources_in():
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for secret in ("lineagelens.key", "lineagelens.db", "lineagelens.db-wal", ".venv/bin/python", ".git/config",
                   "ui/node_modules/react/index.js", "receiver/__pycache__/app.cpython-311.pyc", ".env"):
        assert _ignored(secret, patterns), f"{secret} would be sent to the builder"
    for needed in ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "receiver/app.py", "ui/package.json",
                   "ui/package-lock.json", "ui/src/main.tsx", "plugins/__init__.py", "integrations/__init__.py"):
        assert not _ignored(needed, patterns), f"{needed} is needed by the build but ignored"
