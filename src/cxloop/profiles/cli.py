"""CLI of profiles: sources, file ingest, identity resolution, customer lookup."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core import jobs
from cxloop.core.db import new_session, unit_of_work
from cxloop.core.errors import AppError, from_validation
from cxloop.profiles import queries, resolve
from cxloop.profiles.ingest import queries as ingest_queries
from cxloop.profiles.ingest import service as ingest
from cxloop.profiles.ingest.fields import ENTITIES, SOURCE_KINDS
from cxloop.profiles.ingest.parsing import FileProblem, iter_file
from cxloop.profiles.ingest.schemas import SourceCreate

sources = typer.Typer(help="Source systems.", no_args_is_help=True)


@sources.command("create")
def create_source(
    name: str,
    kind: str = typer.Option(..., help=" | ".join(SOURCE_KINDS)),
    trust_rank: int = typer.Option(5, help="1 is the most trusted"),
    region: str | None = typer.Option(None, help="Default region for phone numbers"),
    timezone: str = typer.Option("UTC", help="Time zone of timestamps without an offset"),
    mapping: Path | None = typer.Option(None, help="JSON file: {entity: {column: field}}"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Declare a source; prints its webhook secret (shown only once)."""
    try:
        field_mapping = orjson.loads(mapping.read_bytes()) if mapping else {}
        data = SourceCreate(
            name=name,
            kind=kind,
            trust_rank=trust_rank,
            default_region=region,
            timezone=timezone,
            field_mapping=field_mapping,
        )
    except (ValueError, OSError, orjson.JSONDecodeError) as exc:
        fail(from_validation(exc).message if hasattr(exc, "errors") else str(exc))
    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            src = ingest.create_source(session, operator(w), data)
            typer.echo(
                f"source {src.name} created; webhook secret (shown once): {src.webhook_secret}"
            )
    except AppError as exc:
        report_error(exc)


@sources.command("list")
def list_sources(ws: str | None = WorkspaceOption) -> None:
    """List sources."""
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        for s in ingest_queries.list_sources(session, operator(w)):
            typer.echo(
                f"{s.id}\t{s.name}\t{s.kind}\ttrust {s.trust_rank}\t{s.default_region or '-'}"
            )


def ingest_file(
    source: str = typer.Argument(..., help="Source name"),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    entity: str = typer.Option(..., help=" | ".join(ENTITIES)),
    fmt: str | None = typer.Option(None, "--format", help="csv | jsonl | json (default: guessed)"),
    encoding: str | None = typer.Option(None, help="Default: detected (UTF-8, UTF-16 with BOM)"),
    key: str | None = typer.Option(
        None, "--key", help="Idempotency key (default: file name + size)"
    ),
    resolve_now: bool = typer.Option(
        True, "--resolve/--no-resolve", help="Resolve identities after"
    ),
    ws: str | None = WorkspaceOption,
) -> None:
    """Ingest a CSV / JSON Lines file; prints the batch report (accepted + rejected = received)."""
    if entity not in ENTITIES:
        fail(f"--entity must be one of {', '.join(ENTITIES)}")
    session = new_session(write=True)
    try:
        w = workspace(session, ws)
        actor = operator(w)
        src = ingest.get_source(session, actor, source)
        idem = key or f"cli:{path.name}:{path.stat().st_size}"
        batch, replayed = ingest.open_batch(session, actor, src, entity, "file", path.name, idem)
        if replayed:
            report = ingest.report(src, batch).model_copy(update={"replayed": True})
        else:
            with path.open("rb") as fh:
                try:
                    _f, enc, rows = iter_file(fh, path.name, fmt, encoding)
                    batch.encoding = enc
                    session.commit()
                    report = ingest.process(
                        session, actor, src, batch, rows, commit_every_chunk=True
                    )
                except FileProblem as exc:
                    session.rollback()
                    ingest.fail(session, batch, exc.reason, exc.line)
                    report = ingest.report(src, batch)
        session.commit()
    except AppError as exc:
        session.rollback()
        report_error(exc)
    finally:
        session.close()
    typer.echo(report.model_dump_json(indent=2, exclude={"errors"}))
    for err in report.errors[:20]:
        problems = "; ".join(f"{e['field']}: {e['reason']}" for e in err.errors)
        typer.echo(f"  line {err.line}: {problems}", err=True)
    if resolve_now and report.resolution_job_id:
        jobs.run_pending()
        typer.echo("identity resolution done")
    if report.file_error:
        raise typer.Exit(1)


def resolve_command(
    full: bool = typer.Option(False, "--full", help="Re-resolve every record and retrain"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Resolve identities: records not yet resolved, or everything with --full."""
    with unit_of_work() as session:
        w = workspace(session, ws)
        stats = (
            resolve.resolve_all(session, w.id, operator(w))
            if full
            else resolve.resolve_pending(session, w.id, operator(w))
        )
    typer.echo(orjson.dumps(stats, option=orjson.OPT_INDENT_2).decode())


def find_command(query: str, ws: str | None = WorkspaceOption) -> None:
    """Find customers by name, email, phone or external id."""
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        for hit in queries.search_profiles(session, operator(w), query):
            typer.echo(
                f"{hit['id']}\t{hit['display_name']}\t{hit['email'] or '-'}\t{hit['phone'] or '-'}"
            )
