"""``cxloop surveys import|export|list|answers``: survey definitions as YAML or JSON files, and
the results of open questions.

Errors name the field and, for files, the line it is on (both formats are read through the YAML
parser's node marks, since JSON is YAML; PyYAML is a declared dependency).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
import yaml
from pydantic import ValidationError

from cxloop.cli.context import WorkspaceOption, fail, operator, report_error, workspace
from cxloop.core.db import unit_of_work
from cxloop.core.errors import AppError
from cxloop.core.params import parse_int
from cxloop.surveys import queries, service
from cxloop.surveys.definition import parse

app = typer.Typer(
    help="Survey definitions: import, export, list; results of open questions.",
    no_args_is_help=True,
)


def _load(path: Path) -> tuple[Any, Any]:
    """The file's data and its node tree (for line numbers)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text), yaml.compose(text)
        except yaml.YAMLError as exc:
            fail(f"{path.name}: not valid YAML: {exc}")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        fail(f"{path.name}: not valid JSON: {exc}")
    try:
        node = yaml.compose(text)
    except Exception:  # line numbers are a nicety; the data parsed as JSON already
        node = None
    return data, node


def _line(node: Any, field: str) -> int | None:
    """The line of ``definition.questions[2].text`` in a composed YAML/JSON node tree."""
    parts: list[str | int] = []
    for piece in field.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        if name:
            parts.append(name)
        parts += [n for i in indexes if (n := parse_int(i)) is not None and n >= 0]
    found = None
    for part in parts:
        value = getattr(node, "value", None)
        if not isinstance(value, list) or not value:
            break
        if isinstance(value[0], tuple):  # a mapping: the key's line
            pair = next((kv for kv in value if getattr(kv[0], "value", None) == part), None)
            node = pair[1] if pair else None
            found = pair[0].start_mark.line + 1 if pair else found
        elif isinstance(part, int) and part < len(value):  # a sequence
            node = value[part]
            found = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return found


def _errors(path: Path, node: Any, errors: list[dict[str, str]]) -> None:
    for e in errors:
        line = _line(node, e["field"]) if node is not None else None
        where = f"{path.name}:{line}" if line else path.name
        typer.secho(f"{where}: {e['field']}: {e['reason']}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .yaml or .json file"),
    update: int | None = typer.Option(None, "--update", help="Redefine this survey id instead"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Create a survey (or a new version of one) from a file: {name, definition}."""
    data, node = _load(file)
    if not isinstance(data, dict) or not isinstance(data.get("definition"), dict):
        fail(f"{file.name}: expected an object with 'name' and 'definition'")
    raw_name = data.get("name")
    name = raw_name if isinstance(raw_name, str) else ""
    if not name:
        _errors(file, node, [{"field": "name", "reason": "is required"}])
    try:
        definition = parse(data["definition"], "definition.")
    except AppError as exc:
        _errors(
            file, node, exc.data.get("errors", [{"field": "definition", "reason": exc.message}])
        )
    except ValidationError as exc:  # pragma: no cover - parse reports these as AppError
        fail(str(exc))
    with unit_of_work() as session:
        w = workspace(session, ws)
        try:
            if update is None:
                survey = service.create_survey(session, operator(w), name, definition)
                created = True
            else:
                survey, created = service.update_survey(
                    session, operator(w), update, name, definition
                )
        except AppError as exc:
            report_error(exc)
        detail = queries.survey_detail(session, operator(w), survey.id)
    verb = "created" if update is None else ("new version" if created else "updated")
    typer.echo(f"{verb}: survey {detail['id']} '{detail['name']}' version {detail['version']}")
    for warning in detail["estimate"]["warnings"]:
        typer.echo(f"warning: {warning['message']}")
    typer.echo(f"estimated time to complete: {detail['estimate']['seconds']} s")


@app.command("export")
def export_file(
    survey_id: int = typer.Argument(...),
    out: Path | None = typer.Option(None, "--out", "-o", help=".yaml or .json (default: stdout)"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Write a survey's current definition as a file `cxloop surveys import` reads back."""
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        try:
            doc = queries.export(session, operator(w), survey_id)
        except AppError as exc:
            report_error(exc)
    doc = {"name": doc["name"], "definition": doc["definition"]}
    if out is not None and out.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    else:
        text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("list")
def list_command(ws: str | None = WorkspaceOption) -> None:
    """The workspace's surveys: id, status, version, questions, languages, responses, name."""
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        for s in queries.list_surveys(session, operator(w)):
            typer.echo(
                f"{s['id']}\t{s['status']}\tv{s['version']}\t{s['questions']} q\t"
                f"{','.join(s['languages'])}\t{s['responses']} responses\t{s['name']}"
            )


@app.command("answers")
def answers_command(
    survey_id: int = typer.Argument(..., min=1, help="The survey's id"),
    question: str | None = typer.Option(None, help="Only this open question (its key)"),
    sentiment: str | None = typer.Option(None, help="Only negative | neutral | positive answers"),
    limit: int = typer.Option(20, min=0, max=200, help="How many answers to list"),
    lang: str = typer.Option("en", help="Language of questions and themes: en | zh-Hant | ..."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON"),
    ws: str | None = WorkspaceOption,
) -> None:
    """Open questions' results: sentiment and themes per question, then the latest answers."""
    from cxloop.surveys import queries_results

    if sentiment not in (None, "negative", "neutral", "positive"):
        fail("--sentiment must be negative, neutral or positive")
    with unit_of_work(write=False) as session:
        w = workspace(session, ws)
        try:
            results = queries_results.open_results(session, operator(w), survey_id, lang)
            filters = queries_results.AnswerFilter(question, sentiment)
            items, total = queries_results.open_answers(
                session, operator(w), survey_id, filters, limit, 0, lang
            )
        except AppError as exc:
            report_error(exc)
    if as_json:
        doc = results | {"answers": items, "total": total}
        typer.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    for q in results["questions"]:
        s = q["sentiment"]
        mean = f"{q['avg_score']:+.2f}" if q["avg_score"] is not None else "-"
        themes = ", ".join(f"{t['label']} {t['mentions']}" for t in q["themes"]) or "-"
        typer.echo(
            f"{q['key']}\t{q['answered']} answers\t{q['analysed']} analysed\t"
            f"-{s['negative']} ={s['neutral']} +{s['positive']}\tmean {mean}\t{themes}\t"
            f"{q['question']}"
        )
    typer.echo(f"{total} answers match; the latest {len(items)}:")
    for a in items:
        found = a["analysis"]
        label = found["sentiment"] if found else "not analysed"
        themes = ", ".join(t["label"] for t in found["themes"]) if found else ""
        text = " ".join(a["text"].split())
        typer.echo(f"#{a['response_id']}\t{a['question_key']}\t{label}\t{themes}\t{text}")
