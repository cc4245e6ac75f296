"""CLI of identity resolution: ``cxloop identity settings|set|review|approve|reject|undo``."""

from __future__ import annotations

from typing import Any

import orjson
import typer

from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.params import MAX_ID
from cxloop.profiles import queries, queries_identity, service
from cxloop.profiles.survivorship import ATTRIBUTES, RULES

identity = typer.Typer(
    help="Identity resolution: thresholds, survivorship rules, the review queue.",
    no_args_is_help=True,
)


def _print_settings(conf: dict[str, Any]) -> None:
    defaults = conf["defaults"]
    typer.echo(
        f"auto-merge threshold  {conf['auto_threshold']:g}  (default "
        f"{defaults['auto_threshold']:g}): pairs at or above are merged automatically"
    )
    typer.echo(
        f"review threshold      {conf['review_threshold']:g}  (default "
        f"{defaults['review_threshold']:g}): pairs from here up to auto-merge wait for review,"
        " below are kept apart"
    )
    typer.echo("survivorship rules:")
    for r in conf["rules"]:
        mark = "(default)" if r["rule"] == r["default"] else f"(default: {r['default']})"
        typer.echo(f"  {r['attribute']:<12}  {r['rule']:<14}  {mark}")
    typer.echo(f"unique sources: {', '.join(conf['unique_sources']) or '(none)'}")


@identity.command("settings")
def show_settings(
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Print the thresholds, the rule of every attribute and the unique sources."""
    with unit_of_work(write=False) as session:
        conf = queries_identity.identity_settings(session, operator(workspace(session, ws)))
    if as_json:
        typer.echo(orjson.dumps(conf, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_settings(conf)


def _rules(entries: list[str]) -> dict[str, str]:
    rules: dict[str, str] = {}
    for entry in entries:
        attr, sep, rule = (part.strip() for part in entry.partition("="))
        if not sep or not attr or not rule:
            fail(
                f"--rule {entry!r}: write ATTRIBUTE=RULE, e.g. phone=most_recent "
                f"(attributes: {', '.join(ATTRIBUTES)}; rules: {', '.join(RULES)})"
            )
        rules[attr] = rule
    return rules


@identity.command("set")
def set_settings(
    auto: float | None = typer.Option(
        None, "--auto", metavar="P", help="Auto-merge threshold, 0 < p < 1"
    ),
    review: float | None = typer.Option(
        None, "--review", metavar="P", help="Review threshold, 0 < p < 1"
    ),
    rule: list[str] = typer.Option(
        [], "--rule", metavar="ATTR=RULE", help="Repeatable; rules: " + " | ".join(RULES)
    ),
    unique_source: list[str] = typer.Option(
        [],
        "--unique-source",
        metavar="SOURCE",
        help="A source holding at most one record per person, repeatable (replaces the list)",
    ),
    clear_unique: bool = typer.Option(
        False, "--no-unique-sources", help="Declare no source unique"
    ),
    ws: str | None = WorkspaceOption,
) -> None:
    """Change any of the settings; they apply to the next resolution (cxloop resolve --full)."""
    if clear_unique and unique_source:
        fail("give --unique-source or --no-unique-sources, not both")
    thresholds = {
        k: v for k, v in (("auto_threshold", auto), ("review_threshold", review)) if v is not None
    }
    rules = _rules(rule)
    uniq = [] if clear_unique else (unique_source or None)
    if not thresholds and not rules and uniq is None:
        fail("nothing to change: give --auto, --review, --rule or --unique-source")
    try:
        with unit_of_work() as session:
            actor = operator(workspace(session, ws))
            service.update_settings(session, actor, thresholds, rules, uniq)
            conf = queries_identity.identity_settings(session, actor)
    except AppError as exc:
        report_error(exc)
    _print_settings(conf)
    typer.echo("saved; applies to the next resolution (re-resolve everyone: cxloop resolve --full)")


@identity.command("review")
def review_queue(
    limit: int = typer.Option(50, min=1, max=500, help="How many to list"),
    offset: int = typer.Option(0, min=0, help="How many to skip"),
    ws: str | None = WorkspaceOption,
) -> None:
    """List matches waiting for a decision, most likely first, with why each is held."""
    with unit_of_work(write=False) as session:
        items, total = queries.review_queue(
            session, operator(workspace(session, ws)), limit, offset
        )
    for item in items:
        a, b = item["record_a"] or {}, item["record_b"] or {}
        reason = (item["review_reason"] or {}).get("message") or "-"
        typer.echo(
            f"{item['id']}\t{item['probability']:.3f}\t"
            f"{a.get('full_name') or '-'} ({a.get('source')} {a.get('external_id')})\t"
            f"{b.get('full_name') or '-'} ({b.get('source')} {b.get('external_id')})\t{reason}"
        )
    shown = f"{offset + 1}-{offset + len(items)} of " if items else ""
    typer.echo(f"{shown}{total} pending", err=True)


def _decide(link_id: int, approve: bool, ws: str | None) -> None:
    try:
        with unit_of_work() as session:
            actor = operator(workspace(session, ws))
            link = service.decide_link(session, actor, link_id, approve=approve)
            merge = queries_identity.merge_of_link(session, actor, link.id) if approve else None
            line = f"match {link.id} {link.status}"
            if merge is not None:
                line += (
                    f": customer {merge.absorbed_id} merged into {merge.survivor_id}"
                    f" (merge {merge.id}; undo: cxloop identity undo {merge.id})"
                )
            elif approve:
                line += ": the two records were one customer already"
            else:
                line += ": the two records will be kept apart"
    except AppError as exc:
        report_error(exc)
    typer.echo(line)


@identity.command("approve")
def approve(
    link_id: int = typer.Argument(..., min=1, max=MAX_ID), ws: str | None = WorkspaceOption
) -> None:
    """Approve a match: the two customers are merged (undoable)."""
    _decide(link_id, True, ws)


@identity.command("reject")
def reject(
    link_id: int = typer.Argument(..., min=1, max=MAX_ID), ws: str | None = WorkspaceOption
) -> None:
    """Reject a match: the two records are kept apart for good."""
    _decide(link_id, False, ws)


@identity.command("undo")
def undo(
    merge_id: int = typer.Argument(..., min=1, max=MAX_ID), ws: str | None = WorkspaceOption
) -> None:
    """Undo a merge: the absorbed customer comes back with its records."""
    try:
        with unit_of_work() as session:
            event = service.undo_merge(session, operator(workspace(session, ws)), merge_id)
            line = (
                f"merge {event.id} undone: customer {event.absorbed_id} restored with "
                f"{len(event.record_ids)} record(s), kept apart from {event.survivor_id}"
            )
    except AppError as exc:
        report_error(exc)
    typer.echo(line)
