"""The text library stays pure: every library module is named in the import-linter contract."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = {
    "__init__",
    "models",
    "schemas",
    "errors",
    "service",
    "enrich",
    "heads",
    "themes",
    "volumes",
    "queries",
    "queries_answers",
    "access",
    "api",
    "web",
    "cli",
    "jobs",
}


def test_every_library_module_is_under_the_purity_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if c["name"].startswith("text analytics"))
    listed = {m.rsplit(".", 1)[1] for m in pure["source_modules"] if m.startswith("cxloop.text.")}
    modules = {p.stem for p in (ROOT / "src" / "cxloop" / "text").glob("*.py")}
    assert modules - INTEGRATION == listed
