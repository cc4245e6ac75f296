"""``cxloop distribution …``: audiences, sending a survey, and its delivery figures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import typer
from pydantic import ValidationError

from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError, from_validation
from cxloop.surveys import distribution, segments
from cxloop.surveys import queries_distribution as queries
from cxloop.surveys.schemas_distribution import (
    DistributionCreate,
    SegmentCreate,
    SegmentFilters,
    SegmentUpdate,
)

app = typer.Typer(
    help="Send surveys: audiences, distributions, delivery figures.", no_args_is_help=True
)
JSON = typer.Option(False, "--json", help="Print the result as JSON")


def _out(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode())


def _filters(path: Path | None) -> SegmentFilters:
    if path is None:
        return SegmentFilters()
    try:
        return SegmentFilters.model_validate(orjson.loads(path.read_bytes()))
    except orjson.JSONDecodeError as exc:
        fail(f"{path.name}: not valid JSON: {exc}")
    except ValidationError as exc:
        fail(from_validation(exc).message)


@app.command("audiences")
def list_audiences(ws: str | None = WorkspaceOption) -> None:
    """Saved audiences and how many customers each holds now."""
    with unit_of_work(write=False) as s:
        actor = operator(workspace(s, ws))
        for seg in segments.list_segments(s, actor):
            count = segments.preview(s, actor, segments.filters_of(seg))
            typer.echo(f"{seg.id}\t{seg.name}\t{count} customers\t{seg.filters}")


@app.command("audience")
def create_audience(
    name: str = typer.Argument(..., help="Name of the audience"),
    filters: Path | None = typer.Option(None, help="JSON file with the filters"),
    preview: bool = typer.Option(False, "--preview", help="Only count, save nothing"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Save an audience (or only count it with --preview)."""
    f = _filters(filters)
    with unit_of_work(write=not preview) as s:
        actor = operator(workspace(s, ws))
        try:
            if preview:
                typer.echo(f"{segments.preview(s, actor, f)} customers")
                return
            seg = segments.create_segment(s, actor, SegmentCreate(name=name, filters=f))
        except AppError as exc:
            report_error(exc)
        typer.echo(f"audience {seg.id} saved: {segments.preview(s, actor, f)} customers now")


@app.command("audience-edit")
def edit_audience(
    segment_id: int = typer.Argument(..., help="Audience id"),
    name: str | None = typer.Option(None, help="New name"),
    filters: Path | None = typer.Option(None, help="JSON file with the new filters (all of them)"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Rename an audience or replace its filters."""
    if name is None and filters is None:
        fail("nothing to change: give --name or --filters")
    try:
        data = SegmentUpdate(name=name, filters=_filters(filters) if filters else None)
    except ValidationError as exc:
        fail(from_validation(exc).message)
    with unit_of_work() as s:
        actor = operator(workspace(s, ws))
        try:
            seg = segments.update_segment(s, actor, segment_id, data)
        except AppError as exc:
            report_error(exc)
        count = segments.preview(s, actor, segments.filters_of(seg))
        typer.echo(f"audience {seg.id} saved: {count} customers now")


@app.command("audience-delete")
def delete_audience(
    segment_id: int = typer.Argument(..., help="Audience id"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Delete an audience (refused while a distribution that is not finished uses it)."""
    with unit_of_work() as s:
        actor = operator(workspace(s, ws))
        try:
            segments.delete_segment(s, actor, segment_id)
        except AppError as exc:
            report_error(exc)
    typer.echo(f"audience {segment_id} deleted")


@app.command("send")
def send(
    survey_id: int = typer.Argument(..., help="Survey id"),
    audience: int | None = typer.Option(None, help="Audience id"),
    channel: list[str] = typer.Option(["email"], help="email, sms or web (repeat, in order)"),
    at: datetime | None = typer.Option(None, help="Send at this UTC time instead of now"),
    reminder: list[int] = typer.Option([], help="Reminder after N days (repeat)"),
    name: str = typer.Option("", help="Name of the distribution"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Plan a distribution; a running worker (cxloop serve or cxloop worker) sends it."""
    try:
        data = DistributionCreate.model_validate(
            {
                "name": name,
                "segment_id": audience,
                "channels": channel,
                "mode": "scheduled" if at else "now",
                "scheduled_at": at.isoformat() + ("" if at.tzinfo else "+00:00") if at else None,
                "reminders": reminder,
            }
        )
    except ValidationError as exc:
        fail(from_validation(exc).message)
    with unit_of_work() as s:
        actor = operator(workspace(s, ws))
        try:
            dist = distribution.create(s, actor, survey_id, data)
        except AppError as exc:
            report_error(exc)
        typer.echo(f"distribution {dist.id} planned for {dist.scheduled_at:%Y-%m-%d %H:%M} UTC")


@app.command("status")
def status(
    survey_id: int = typer.Argument(..., help="Survey id"),
    as_json: bool = JSON,
    ws: str | None = WorkspaceOption,
) -> None:
    """Invitations by status, response rate by channel, and each distribution's skips."""
    with unit_of_work(write=False) as s:
        actor = operator(workspace(s, ws))
        try:
            figures = queries.delivery_figures(s, actor, survey_id)
            dists = queries.list_distributions(s, actor, survey_id)
        except AppError as exc:
            report_error(exc)
    if as_json:
        _out({**figures, "distributions": dists})
        return
    typer.echo(f"invitations: {figures['invitations']}  {figures['by_status']}")
    for c in figures["by_channel"]:
        rate = "—" if c["response_rate"] is None else f"{c['response_rate'] * 100:.1f} %"
        typer.echo(f"  {c['channel']}: sent {c['sent']}, completed {c['completed']}, rate {rate}")
    for d in dists:
        typer.echo(f"distribution {d['id']} ({d['status']}): {d['by_status']}")
        if d["skipped"]:
            typer.echo(f"  skipped: {d['skipped']}")
        if d["deferred"]:
            typer.echo(f"  deferred: {d['deferred']}")
