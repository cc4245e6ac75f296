"""``cxloop text``: analyze, enrich with progress, themes, retrain; ``train`` is wired."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxloop.core import jobs
from tests.factories import World
from tests.text.comments import COMMENTS, PHONE, ingest_comments

runner = CliRunner()


def test_analyze_from_arguments_and_stdin() -> None:
    from cxloop.cli.main import app

    r = runner.invoke(app, ["text", "analyze", f"My bill is wrong, call {PHONE}", "謝謝你們"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [o["language"] for o in out] == ["en", "zh-Hant"]
    assert out[0]["themes"][0]["theme"] == "billing" and PHONE not in r.stdout
    r = runner.invoke(app, ["text", "analyze"], input="網路斷線\n\nสวัสดีค่ะ\n")
    assert r.exit_code == 0
    assert [o["language"] for o in json.loads(r.stdout)] == ["zh-Hant", "th"]
    r = runner.invoke(app, ["text", "analyze"], input="")
    assert r.exit_code == 1 and "stdin" in r.stderr


def test_enrich_themes_and_retrain(client: TestClient, world: World) -> None:
    from cxloop.cli.main import app

    ingest_comments(client, world, run_jobs=False)
    r = runner.invoke(app, ["text", "enrich", "-w", "acme"])
    assert r.exit_code == 0, r.output
    assert f"{len(COMMENTS)} comments looked at, {len(COMMENTS)} enriched" in r.stdout
    assert f"done: {len(COMMENTS)} enriched, 0 already up to date" in r.stdout
    jobs.run_pending()  # the job queued by the ingest finds nothing left to do
    r = runner.invoke(app, ["text", "enrich", "-w", "acme"])
    assert f"done: 0 enriched, {len(COMMENTS)} already up to date" in r.stdout
    r = runner.invoke(app, ["text", "themes", "-w", "acme", "--lang", "zh-Hant"])
    assert r.exit_code == 0
    billing = next(line for line in r.stdout.splitlines() if "帳單" in line)
    assert int(billing.split()[2]) >= 3
    r = runner.invoke(app, ["text", "retrain", "-w", "acme"])
    assert r.exit_code == 2 and "text.too_few_labels" in r.stderr
    r = runner.invoke(app, ["text", "enrich", "-w", "nope"])
    assert r.exit_code == 1 and "does not exist" in r.stderr


def test_train_is_the_library_training() -> None:
    from cxloop.cli.main import app

    r = runner.invoke(app, ["text", "train", "--help"])
    assert r.exit_code == 0 and "deterministic" in r.stdout
    r = runner.invoke(app, ["text", "train", "--workers", "0"])
    assert r.exit_code == 2
