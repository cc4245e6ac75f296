"""CLI of auth: workspaces, users, API keys."""

from __future__ import annotations

import getpass

import typer

from cxloop.auth import queries, service
from cxloop.auth.models import User
from cxloop.auth.schemas import UserCreate, UserUpdate
from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError, from_validation

workspaces = typer.Typer(help="Workspaces (tenants).", no_args_is_help=True)
users = typer.Typer(help="Users and roles.", no_args_is_help=True)
keys = typer.Typer(help="API keys.", no_args_is_help=True)


@workspaces.command("create")
def create_workspace(
    slug: str, name: str, region: str = typer.Option("US", help="Default region")
) -> None:
    """Create a workspace."""
    try:
        with unit_of_work() as session:
            ws = service.create_workspace(session, slug, name, region)
            typer.echo(f"workspace {ws.slug} created (id {ws.id})")
    except AppError as exc:
        report_error(exc)


def _password(given: str | None) -> str:
    if given:
        return given
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        fail("the passwords differ")
    return first


@users.command("create")
def create_user(
    email: str,
    name: str = typer.Option(..., help="Display name"),
    role: str = typer.Option(..., help="admin | analyst | agent | account_manager"),
    password: str | None = typer.Option(None, help="Asked for when omitted"),
    language: str = typer.Option("en", help="en | zh-Hant | zh-Hans | th"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Create a user."""
    try:
        data = UserCreate(
            email=email, name=name, role=role, password=_password(password), language=language
        )
    except ValueError as exc:
        fail(from_validation(exc).message)
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            user = service.create_user(session, operator(w), data)
            typer.echo(f"user {user.email} ({user.role}) created in {w.slug}")
    except AppError as exc:
        report_error(exc)


@users.command("list")
def list_users(ws: str | None = WorkspaceOption) -> None:
    """List users."""
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        for u in queries.list_users(session, operator(w)):
            state = "active" if u.is_active else "inactive"
            typer.echo(f"{u.id}\t{u.email}\t{u.role}\t{state}\t{u.name}")


def _find(session: object, ws_id: int, email: str) -> User:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    user = session.scalar(
        select(User).where(User.workspace_id == ws_id, User.email == email.lower())
    )
    if user is None:
        fail(f"no user {email!r} in this workspace")
    return user


@users.command("set-role")
def set_role(email: str, role: str, ws: str | None = WorkspaceOption) -> None:
    """Change a user's role."""
    try:
        data = UserUpdate(role=role)
    except ValueError as exc:
        fail(from_validation(exc).message)
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            service.update_user(session, operator(w), _find(session, w.id, email).id, data)
            typer.echo(f"{email} is now {role}")
    except AppError as exc:
        report_error(exc)


@users.command("deactivate")
def deactivate(email: str, ws: str | None = WorkspaceOption) -> None:
    """Deactivate a user (ends their sessions)."""
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            service.update_user(
                session, operator(w), _find(session, w.id, email).id, UserUpdate(is_active=False)
            )
            typer.echo(f"{email} deactivated")
    except AppError as exc:
        report_error(exc)


@users.command("reset-password")
def reset_password(
    email: str,
    password: str | None = typer.Option(None, help="Asked for when omitted"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Set a new password for a user."""
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            service.set_password(
                session, operator(w), _find(session, w.id, email).id, _password(password)
            )
            typer.echo(f"password of {email} changed; their sessions were ended")
    except AppError as exc:
        report_error(exc)


@keys.command("create")
def create_key(
    email: str,
    name: str = typer.Option(..., help="What the key is for"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Create an API key for a user and print it (shown only once)."""
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            user = _find(session, w.id, email)
            _key, secret = service.create_api_key(session, service.actor_for_user(user), name)
            typer.echo(secret)
    except AppError as exc:
        report_error(exc)
