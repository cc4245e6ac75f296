"""A real server on loopback: ``cxloop serve`` in a subprocess against the test database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

T = TypeVar("T")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running cxloop server process."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def kill9(self) -> None:
        """Kill the server without any chance to clean up."""
        self.proc.kill()
        self.proc.wait(timeout=10)


def start_server(tmp_path: Path, worker: bool = False) -> Server:
    """Start ``cxloop serve`` and wait until it answers."""
    port = free_port()
    env = dict(os.environ)
    env.update({"CXLOOP_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"})
    log = tmp_path / f"server-{port}.log"
    args = [sys.executable, "-m", "cxloop.cli.main", "serve", "--port", str(port)]
    if not worker:
        args.append("--no-worker")
    proc = subprocess.Popen(args, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, proc, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def _stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Server]:
    """A server process for one test."""
    server = start_server(tmp_path)
    yield server
    _stop(server)


@pytest.fixture
def live_worker_server(tmp_path: Path) -> Iterator[Server]:
    """A server process that also runs background jobs."""
    server = start_server(tmp_path, worker=True)
    yield server
    _stop(server)


CHROMIUM = os.environ.get("CXLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (required in CI, skipped locally if missing)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh browser context and page."""
    context = browser.new_context(locale="en-US")
    pg = context.new_page()
    yield pg
    context.close()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a thread of its own (Playwright's sync API leaves an
    event loop set in the test thread, where ``asyncio.run`` refuses to start)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
