"""The ``cxloop`` command: serve, migrate, demo, worker, and every domain's commands."""

from __future__ import annotations

import logging

import typer

from cxloop.api.registry import register_jobs
from cxloop.auth import cli as auth_cli
from cxloop.profiles import cli as profiles_cli
from cxloop.profiles import cli_identity
from cxloop.surveys import cli as surveys_cli
from cxloop.surveys import cli_distribution, cli_surveys
from cxloop.text import cli as text_cli

register_jobs()  # commands that run jobs in-process (ingest, text enrich) find every handler
app = typer.Typer(help="cxloop: customer experience platform.", no_args_is_help=True)
app.add_typer(auth_cli.workspaces, name="workspaces")
app.add_typer(auth_cli.users, name="users")
app.add_typer(auth_cli.keys, name="api-keys")
app.add_typer(profiles_cli.sources, name="sources")
app.command("ingest")(profiles_cli.ingest_file)
app.command("resolve")(profiles_cli.resolve_command)
app.command("find")(profiles_cli.find_command)
app.add_typer(cli_identity.identity, name="identity")
app.add_typer(surveys_cli.app, name="sample-size")
app.add_typer(cli_surveys.app, name="surveys")
app.add_typer(text_cli.app, name="text")
app.add_typer(cli_distribution.app, name="distribution")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from cxloop.core.migrate import upgrade

    upgrade()
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Default: CXLOOP_HOST or 127.0.0.1"),
    port: int | None = typer.Option(None, help="Default: CXLOOP_PORT or 8000"),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run background jobs here"),
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from cxloop.api.app import create_app, freeze_heap
    from cxloop.core.config import get_settings
    from cxloop.profiles.demo.load import login_hint
    from cxloop.profiles.ingest import parallel

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    typer.echo(
        f"cxloop on http://{host or settings.host}:{port or settings.port}  (API docs: /api/docs)"
    )
    for line in login_hint():
        typer.echo(line)
    application = create_app(worker=worker)
    parallel.prestart()  # large uploads then hand over to worker processes at once
    freeze_heap()
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=False,
    )


@app.command("worker")
def run_worker() -> None:
    """Run background jobs in this process until stopped."""
    import signal
    import threading

    from cxloop.api.registry import warm_up
    from cxloop.core import jobs

    warm_up()  # job handlers were registered when this module was imported
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    w = jobs.Worker()
    w.start()
    typer.echo("worker running; Ctrl-C to stop")
    stop.wait()
    w.stop()


@app.command()
def demo(
    workspace: str = typer.Option("demo", help="Workspace slug to create or refresh"),
    customers: int = typer.Option(5000, help="Number of people in the demo world"),
    seed: int = typer.Option(7, help="Random seed (the world is deterministic)"),
) -> None:
    """Load the deterministic demo world (idempotent: loading twice changes nothing)."""
    from cxloop.profiles.demo.load import load_demo

    summary = load_demo(workspace, customers, seed)
    for line in summary:
        typer.echo(line)


if __name__ == "__main__":
    app()
