"""The import arrows between our packages, read from the code with `ast` (style.md, "Layers").

    core  ←  tagger, models, store  ←  pipeline  ←  cli
                          dashboard, report (read through store, re-tag through tagger)  ←  cli

`cli` is the only package that imports `pipeline`, `dashboard` and `report`. Every import counts, also the
ones inside functions (lazy imports are still arrows). The one allowed exception is an entry point:
`pipeline/__main__.py` runs `cli.main` so that `python -m pipeline` stays the `spiegel` command.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: package → the packages of ours it may import (itself included).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"core"}),
    "tagger": frozenset({"core", "tagger"}),
    "models": frozenset({"core", "models"}),
    "store": frozenset({"core", "store"}),
    "pipeline": frozenset({"core", "tagger", "models", "store", "pipeline"}),
    "dashboard": frozenset({"core", "store", "tagger", "dashboard"}),
    "report": frozenset({"core", "store", "tagger", "report"}),
    "cli": frozenset({"core", "tagger", "models", "store", "pipeline", "dashboard", "report", "cli"}),
}
OURS = frozenset(ALLOWED)
#: (module file, package it may import besides its layer): entry points only.
ENTRY_POINTS = frozenset({("pipeline/__main__.py", "cli")})


def imported_packages(source: str, package: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in `source`; relative imports belong to `package`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, package if node.level else (node.module or "").split(".")[0]))
    return found


def violations(relative: str, source: str) -> list[str]:
    """Arrows against the layers in one module, as `file:line: package imports other`."""
    package = relative.split("/")[0]
    allowed = ALLOWED[package]
    return [
        f"{relative}:{line}: {package} imports {target}"
        for line, target in imported_packages(source, package)
        if target in OURS and target not in allowed and (relative, target) not in ENTRY_POINTS
    ]


def modules() -> list[Path]:
    return sorted(p for package in OURS for p in (ROOT / package).rglob("*.py"))


def test_every_package_exists_and_has_modules() -> None:
    for package in OURS:
        assert (ROOT / package / "__init__.py").is_file(), f"{package}/__init__.py is missing"


@pytest.mark.parametrize("package", sorted(OURS))
def test_no_import_against_the_layers(package: str) -> None:
    problems = [
        problem
        for path in modules()
        if path.relative_to(ROOT).parts[0] == package
        for problem in violations(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert not problems, "imports against the layers (tests/architecture/test_layers.py):\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("tagger/x.py", "from pipeline.schema import Tag\n", ["tagger/x.py:1: tagger imports pipeline"]),
        ("core/x.py", "def f():\n    import store\n", ["core/x.py:2: core imports store"]),
        ("dashboard/x.py", "from cli import main\n", ["dashboard/x.py:1: dashboard imports cli"]),
        ("store/x.py", "import tagger.taxonomy as t\n", ["store/x.py:1: store imports tagger"]),
        ("pipeline/x.py", "from dashboard import data\n", ["pipeline/x.py:1: pipeline imports dashboard"]),
        ("pipeline/__main__.py", "from cli.main import main\n", []),
        ("pipeline/x.py", "from cli.main import main\n", ["pipeline/x.py:1: pipeline imports cli"]),
        ("report/x.py", "from . import build\nimport json\nimport store\n", []),
        ("cli/x.py", "import pipeline, dashboard, report\n", []),
    ],
)
def test_the_checker_sees_every_kind_of_arrow(relative: str, source: str, expected: list[str]) -> None:
    assert violations(relative, source) == expected


def test_packaging_lists_every_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(include) == sorted(f"{package}*" for package in OURS)
    assert config["project"]["scripts"]["spiegel"] == "cli.main:main"
    package_data = config["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"package-data {package}: {pattern} matches nothing"
    data_files = {
        p.relative_to(ROOT).as_posix()
        for package in OURS
        for p in (ROOT / package).rglob("*")
        if p.is_file() and (p.suffix in {".json", ".jsonl", ".sql", ".toml", ".npz"} or p.name == "LICENSE")
    }
    shipped = {
        p.relative_to(ROOT).as_posix()
        for package, patterns in package_data.items()
        for pattern in patterns
        for p in (ROOT / package).glob(pattern)
    }
    assert data_files <= shipped, f"data files not in package-data: {sorted(data_files - shipped)}"


#: Modules allowed over the limit for now, each with why; a listed module that shrinks must leave the list.
LONG_MODULES: dict[str, str] = {}
MAX_MODULE_LINES = 400


def test_no_module_over_400_lines() -> None:
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules()
    }
    too_long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES and name not in LONG_MODULES}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by job): {too_long}"
    stale = [name for name in LONG_MODULES if sizes.get(name, 0) <= MAX_MODULE_LINES]
    assert not stale, f"no longer over the limit, remove from LONG_MODULES: {stale}"
