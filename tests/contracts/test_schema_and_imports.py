"""Contracts of the code base: migrations match the models, import rules hold, the API is stable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cxloop.core.db import Base, get_engine
from cxloop.migrations.models import import_all_models

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "contracts" / "openapi.json"


def test_migrations_produce_exactly_the_models() -> None:
    import_all_models()
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_import_rules() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_openapi_matches_the_snapshot(app) -> None:  # type: ignore[no-untyped-def]
    """The published API changes only on purpose: refresh with CXLOOP_UPDATE_SNAPSHOTS=1."""
    spec = app.openapi()
    text = json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("CXLOOP_UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == text, (
        "the OpenAPI document changed; if intended, run with CXLOOP_UPDATE_SNAPSHOTS=1"
    )


def test_every_operation_is_documented_and_authenticated(app) -> None:  # type: ignore[no-untyped-def]
    public = {"/api/v1/webhooks/{workspace}/{source}"}
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") or op.get("description"), (method, path)
            if path in public:
                continue
            assert "401" in op.get("responses", {}) or path.startswith("/api/v1"), (method, path)


def test_every_route_commits_in_its_endpoint_thread(app) -> None:  # type: ignore[no-untyped-def]
    """Routers use UnitOfWorkRoute (see cxloop.core.routing for the deadlock it prevents)."""
    from fastapi.routing import APIRoute

    from cxloop.core.routing import UnitOfWorkRoute

    plain = [
        r.path
        for r in app.routes
        if isinstance(r, APIRoute) and not isinstance(r, UnitOfWorkRoute) and r.path != "/api/docs"
    ]
    assert plain == [], plain
