"""The ``cxloop`` command line, through Typer's runner against the test database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxloop.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_workspace_users_and_keys() -> None:
    code, out, _ = run("workspaces", "create", "acme", "Acme Corp", "--region", "TW")
    assert code == 0 and "acme created" in out
    code, _, err = run("workspaces", "create", "acme", "Again")
    assert code == 2 and "already exists" in err
    code, out, _ = run(
        "users",
        "create",
        "Ann@Acme.example",
        "--name",
        "Ann",
        "--role",
        "admin",
        "--password",
        "long enough pw",
    )
    assert code == 0 and "ann@acme.example (admin)" in out
    code, _, err = run(
        "users",
        "create",
        "bob@acme.example",
        "--name",
        "Bob",
        "--role",
        "king",
        "--password",
        "long enough pw",
    )
    assert code == 1 and "role" in err.lower()
    code, _, err = run(
        "users",
        "create",
        "bob@acme.example",
        "--name",
        "Bob",
        "--role",
        "agent",
        "--password",
        "short",
    )
    assert code == 1 and "10" in err
    run(
        "users",
        "create",
        "bob@acme.example",
        "--name",
        "Bob",
        "--role",
        "agent",
        "--password",
        "long enough pw",
    )
    code, out, _ = run("users", "set-role", "bob@acme.example", "analyst")
    assert code == 0
    code, out, _ = run("users", "list")
    assert "bob@acme.example\tanalyst\tactive" in out
    code, out, _ = run("api-keys", "create", "bob@acme.example", "--name", "etl")
    assert code == 0 and out.strip().startswith("cxk_")
    code, out, _ = run("users", "deactivate", "bob@acme.example")
    assert code == 0
    assert "bob@acme.example\tanalyst\tinactive" in run("users", "list")[1]
    code, _, err = run("users", "set-role", "nobody@acme.example", "agent")
    assert code == 1 and "no user" in err


def test_several_workspaces_need_a_choice() -> None:
    run("workspaces", "create", "one", "One")
    run("workspaces", "create", "two", "Two")
    code, _, err = run("users", "list")
    assert code == 1 and "--workspace" in err
    code, _, _ = run("users", "list", "--workspace", "two")
    assert code == 0
    code, _, err = run("users", "list", "--workspace", "three")
    assert code == 1 and "does not exist" in err


def test_sources_and_file_ingest(tmp_path: Path) -> None:
    run("workspaces", "create", "acme", "Acme", "--region", "TW")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"customer": {"客戶編號": "external_id", "姓名": "full_name", "手機": "phones"}}
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        "sources",
        "create",
        "billing",
        "--kind",
        "billing",
        "--trust-rank",
        "1",
        "--mapping",
        str(mapping),
    )
    assert code == 0 and "webhook secret (shown once)" in out
    code, out, _ = run("sources", "list")
    assert "billing\tbilling\ttrust 1" in out
    data = tmp_path / "客戶.csv"
    data.write_text(
        "客戶編號,姓名,手機\nB1,王小明,0912-345-678\nB2,李大華,not a phone\n", encoding="utf-8-sig"
    )
    code, out, err = run("ingest", "billing", str(data), "--entity", "customer", "--no-resolve")
    assert code == 0, err
    report = json.loads(out[: out.rindex("}") + 1])
    assert (report["received"], report["accepted"], report["rejected"]) == (2, 1, 1)
    assert "line 3: phones:" in err
    # the same file again is recognised by its idempotency key
    code, out, _ = run("ingest", "billing", str(data), "--entity", "customer", "--no-resolve")
    assert json.loads(out[: out.rindex("}") + 1])["replayed"] is True
    code, _, err = run("ingest", "nosuch", str(data), "--entity", "customer")
    assert code == 2 and "source.not_found" in err
    code, _, err = run("ingest", "billing", str(data), "--entity", "spaceship")
    assert code == 1 and "--entity" in err


def test_python_dash_m_runs_the_same_cli() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "cxloop", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "python -m cxloop" in out.stdout and "ingest" in out.stdout
