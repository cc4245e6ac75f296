"""``cxloop sample-size``: the sampling planner on the command line."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import typer
from pydantic import BaseModel, ValidationError

from cxloop.cli.context import fail
from cxloop.core.errors import AppError, from_validation
from cxloop.surveys import planner as service
from cxloop.surveys.schemas import (
    MarginRequest,
    NpsMarginRequest,
    NpsSizeRequest,
    ProportionRequest,
    StratifiedRequest,
    StratumIn,
)

app = typer.Typer(
    help="Sampling planner: responses needed, margins of error, NPS precision, stratified plans.",
    no_args_is_help=True,
)
JSON = typer.Option(False, "--json", help="Print the full result as JSON")


def _show(result: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(orjson.dumps(service.as_dict(result), option=orjson.OPT_INDENT_2).decode())
        return
    for line in lines:
        typer.echo(line)
    for note in getattr(result, "notes", ()):
        typer.echo(f"note: {note}")


def _run(fn: Any, request: type[BaseModel], **values: Any) -> Any:
    """Check the options as the API checks its body, then plan; errors name the option."""
    try:
        return fn(request.model_validate(values))
    except ValidationError as exc:
        fail(from_validation(exc).message)
    except AppError as exc:
        fail(exc.message)


@app.command("proportion")
def proportion(
    margin: float = typer.Option(..., help="Margin of error as a fraction (0.05 = ±5 points)"),
    confidence: float = typer.Option(0.95),
    proportion: float = typer.Option(0.5, help="Expected proportion (0.5 = worst case)"),
    population: int | None = typer.Option(None, help="Population size N"),
    response_rate: float | None = typer.Option(None, help="Expected response rate (0-1)"),
    as_json: bool = JSON,
) -> None:
    """Responses needed for a margin of error on a proportion."""
    r = _run(
        service.proportion,
        ProportionRequest,
        margin=margin,
        confidence=confidence,
        proportion=proportion,
        population=population,
        response_rate=response_rate,
    )
    lines = [
        f"responses needed: {r.sample_size:,}",
        f"  z = {r.z:.4f}; n0 = z²·p(1−p)/e² = {r.n0:.2f} → {r.n0_rounded:,}",
    ]
    if r.population:
        lines.append(
            f"  finite population N = {r.population:,}: n = n0/(1+(n0−1)/N) = {r.n_fpc:.2f}"
        )
    lines.append(f"  achieved margin: ±{r.achieved_margin * 100:.2f} points")
    if r.invitations is not None:
        lines.append(
            f"invitations to send: {r.invitations.invitations:,}"
            f" (at {r.invitations.response_rate:.0%} response)"
        )
    _show(r, as_json, lines)


@app.command("margin")
def margin(
    responses: int = typer.Option(...),
    confidence: float = typer.Option(0.95),
    proportion: float = typer.Option(0.5),
    population: int | None = typer.Option(None),
    as_json: bool = JSON,
) -> None:
    """The margin of error that a number of responses gives."""
    r = _run(
        service.margin,
        MarginRequest,
        responses=responses,
        confidence=confidence,
        proportion=proportion,
        population=population,
    )
    _show(
        r, as_json, [f"margin of error: ±{r.margin * 100:.2f} points ({r.low:.3f} – {r.high:.3f})"]
    )


@app.command("nps-margin")
def nps_margin(
    promoters: float = typer.Option(..., help="Share (0-1), or a count when --passives is given"),
    detractors: float = typer.Option(...),
    responses: int | None = typer.Option(None),
    passives: int | None = typer.Option(None),
    confidence: float = typer.Option(0.95),
    population: int | None = typer.Option(None),
    as_json: bool = JSON,
) -> None:
    """The margin of error of an NPS."""
    r = _run(
        service.nps_margin,
        NpsMarginRequest,
        promoters=promoters,
        detractors=detractors,
        responses=responses,
        passives=passives,
        confidence=confidence,
        population=population,
    )
    _show(r, as_json, [f"NPS {r.nps:+.1f} ± {r.margin:.1f} points ({r.low:+.1f} to {r.high:+.1f})"])


@app.command("nps")
def nps(
    margin: float = typer.Option(..., help="Margin in NPS points (5 = ±5)"),
    confidence: float = typer.Option(0.95),
    promoters: float | None = typer.Option(None, help="Expected promoter share (0-1)"),
    detractors: float | None = typer.Option(None, help="Expected detractor share (0-1)"),
    population: int | None = typer.Option(None),
    response_rate: float | None = typer.Option(None),
    as_json: bool = JSON,
) -> None:
    """Responses needed for an NPS margin."""
    r = _run(
        service.nps_size,
        NpsSizeRequest,
        margin=margin,
        confidence=confidence,
        promoters=promoters,
        detractors=detractors,
        population=population,
        response_rate=response_rate,
    )
    lines = [f"responses needed: {r.sample_size:,} (achieved ±{r.achieved_margin:.2f} NPS points)"]
    if r.invitations is not None:
        lines.append(f"invitations to send: {r.invitations.invitations:,}")
    _show(r, as_json, lines)


def _read_strata(path: Path) -> list[StratumIn]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, row in enumerate(rows, start=2):
        clean = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
        try:
            out.append(StratumIn.model_validate(clean))
        except ValueError as exc:
            fail(f"{path.name} line {i}: {from_validation(exc).message}")
    return out


@app.command("strata")
def strata(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV: name,population,share,minimum,response_rate,proportion",
    ),
    total: int | None = typer.Option(None, help="Responses to allocate"),
    margin: float | None = typer.Option(None, help="Or: the overall margin to reach"),
    method: str = typer.Option("proportional", help="proportional | equal | shares | neyman"),
    confidence: float = typer.Option(0.95),
    response_rate: float | None = typer.Option(None, help="For strata without their own rate"),
    as_json: bool = JSON,
) -> None:
    """A stratified plan: responses and invitations per stratum."""
    if method not in ("proportional", "equal", "shares", "neyman"):
        fail("--method must be proportional, equal, shares or neyman")
    r = _run(
        service.stratified,
        StratifiedRequest,
        strata=_read_strata(file),
        total=total,
        margin=margin,
        method=method,
        confidence=confidence,
        response_rate=response_rate,
    )
    lines = [
        f"total responses: {r.total:,}"
        + (f"; invitations: {r.invitations:,}" if r.invitations else "")
    ]
    for s in r.strata:
        inv = f", invite {s.invitations.invitations:,}" if s.invitations else ""
        moe = f", ±{s.margin * 100:.1f} pts" if s.margin is not None else ""
        lines.append(f"  {s.name}: {s.responses:,}{moe}{inv}")
    if r.overall_margin is not None:
        lines.append(f"overall margin: ±{r.overall_margin * 100:.2f} points")
    _show(r, as_json, lines)
