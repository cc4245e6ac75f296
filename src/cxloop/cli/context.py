"""What every CLI command shares: choosing the workspace and acting as the operator."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core.actor import Actor, system_actor
from cxloop.core.errors import AppError
from cxloop.core.tenancy import Workspace

WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace slug (default: $CXLOOP_WORKSPACE or the only one)."
)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error to stderr and exit."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def workspace(session: Session, slug: str | None) -> Workspace:
    """The workspace a command acts on."""
    slug = slug or os.environ.get("CXLOOP_WORKSPACE")
    if slug:
        ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
        if ws is None:
            fail(f"workspace {slug!r} does not exist (create it with: cxloop workspaces create)")
        return ws
    all_ws = list(session.scalars(select(Workspace).limit(2)))
    if len(all_ws) == 1:
        return all_ws[0]
    if not all_ws:
        fail("no workspace yet: run 'cxloop demo' or 'cxloop workspaces create'")
    fail("several workspaces exist: choose one with --workspace")


def operator(ws: Workspace) -> Actor:
    """The operator acting from the command line (every permission, audited as cli)."""
    return system_actor(ws.id, "cli")


def report_error(exc: AppError) -> NoReturn:
    """Print an application error the way the API would describe it."""
    detail = f" {exc.data}" if exc.data else ""
    print(f"error [{exc.code}]: {exc.message}{detail}", file=sys.stderr)
    raise typer.Exit(2)
