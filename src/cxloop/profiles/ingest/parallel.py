"""Large JSON Lines files on several cores: workers parse, validate and store blocks, in turn.

The main process reads blocks of raw lines and hands them round-robin to worker processes
(started in the background while it stores the first rows itself, see ``pipeline``). Each
worker parses and prepares its block (the CPU-heavy part, in parallel), then waits for its turn
and stores it in its own transaction, so blocks are written one at a time and in file order
(versions of a record repeated across blocks follow the file; on PostgreSQL the per-source
advisory lock is taken as usual). A block is committed whole or not at all: a crash keeps the
blocks before it, which a re-sent file then finds unchanged.

Each worker watches the process that started it and exits at once when it is gone (a pidfd on
Linux, polling elsewhere): a ``kill -9`` of the server leaves no writer behind to race the re-sent
file, and the transaction of an interrupted block is rolled back.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cxloop.profiles.ingest import worker
from cxloop.profiles.ingest.parsing import JsonLines

BLOCK_CHARS = 24 * 1024 * 1024  # ~70k rows of 350 characters, one transaction each
WORKERS = max(1, min(2, os.cpu_count() or 1))
MAX_REPORTED_ERRORS = 100

log = logging.getLogger(__name__)


@dataclass
class Setup:
    """What a worker needs: where to write and how to validate (all picklable)."""

    url: str
    ctx: Any  # projections.Context
    validator: tuple[Any, ...]  # Validator(*args)
    entity: str


@dataclass
class Outcome:
    """What the workers did with the blocks of a file."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Any] = field(default_factory=list)  # the first rejects, in file order
    truncated: bool = False


def _context() -> Any:
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        # imported once by the fork server, so that a worker starts in milliseconds
        ctx.set_forkserver_preload([worker.__name__])
    return ctx


class Workers:
    """Worker processes for the rest of one file, started in the background.

    The first start in a process boots the fork server (~1.5 s of imports): meanwhile the
    caller goes on storing rows itself, and hands the rest of the file over once ``ready()``.
    """

    def __init__(self, setup: Setup, workers: int = WORKERS) -> None:
        ctx = _context()
        self.turn = ctx.Value("q", 0)
        self.cond = ctx.Condition()
        self.results: Any = ctx.Queue()
        self.tasks: list[Any] = [ctx.Queue(maxsize=2) for _ in range(workers)]
        self.procs = [
            ctx.Process(
                target=worker.work,
                args=(setup, self.tasks[w], self.results, self.turn, self.cond, os.getpid()),
                daemon=True,
            )
            for w in range(workers)
        ]
        self.failure: BaseException | None = None
        self._started = threading.Event()
        threading.Thread(target=self._start, name="ingest-workers-start", daemon=True).start()

    def _start(self) -> None:
        try:
            for p in self.procs:
                p.start()
        except Exception as exc:  # the caller then stores the rest of the file itself
            self.failure = exc
            log.warning("ingest worker processes cannot be started", exc_info=True)
        finally:
            self._started.set()

    def ready(self) -> bool:
        """Whether every worker is running (False for good if one could not be started)."""
        return self._started.is_set() and self.failure is None

    def run(self, lines: JsonLines) -> Outcome:
        """Parse, validate and store the rest of a JSON Lines file; sum the workers' reports."""
        self._started.wait()
        if self.failure is not None:
            raise RuntimeError("the ingest workers could not be started") from self.failure
        workers, procs = len(self.procs), self.procs
        by_block: dict[int, tuple[Any, ...]] = {}
        sent = 0
        hint = BLOCK_CHARS // 4  # a small first block: the first write starts sooner
        while (block := lines.block(hint)) is not None:
            _put(self.tasks[sent % workers], (sent, *block), self.results, by_block)
            sent += 1
            hint = BLOCK_CHARS
        for q in self.tasks:
            _put(q, None, self.results, by_block)
        while len(by_block) < sent:
            _collect(self.results, by_block, timeout=0.5)
            if len(by_block) < sent and any(p.exitcode not in (None, 0) for p in procs):
                _collect(self.results, by_block, timeout=0.5)  # its last words, if any
                raise RuntimeError("an ingest worker died")
        for p in procs:
            p.join()
        outcome = Outcome()
        for k in range(sent):
            _add(outcome, by_block[k])
        return outcome

    def close(self) -> None:
        """Stop any worker still running (all of them if the file ended before they were used)."""
        self._started.wait()
        for p in self.procs:
            if p.is_alive():
                p.kill()
                p.join()


def prestart() -> None:
    """Boot the fork server in the background (a server does it as it starts), so that the
    first large file's workers start at once."""
    if WORKERS < 2:
        return

    def boot() -> None:
        began = time.monotonic()
        try:
            p = _context().Process(target=worker.idle, daemon=True)
            p.start()
            p.join()
        except Exception:  # the ingest then stores every row in-process
            log.warning("ingest worker processes cannot be started", exc_info=True)
        else:
            log.info("ingest worker processes ready (%.1f s to boot)", time.monotonic() - began)

    threading.Thread(target=boot, name="ingest-prestart", daemon=True).start()


def _put(q: Any, task: Any, results: Any, by_block: dict[int, tuple[Any, ...]]) -> None:
    """Queue a task, collecting results (and failures) while the queue is full."""
    while True:
        try:
            q.put(task, timeout=0.2)
            return
        except queue.Full:
            _collect(results, by_block, timeout=0)


def _collect(results: Any, by_block: dict[int, tuple[Any, ...]], timeout: float | None) -> None:
    try:
        msg = results.get(timeout=timeout) if timeout != 0 else results.get_nowait()
    except queue.Empty:
        return
    if msg[0] == "error":
        raise RuntimeError(f"ingest worker failed on block {msg[1]}:\n{msg[2]}")
    by_block[msg[1]] = msg


def _add(outcome: Outcome, msg: tuple[Any, ...]) -> None:
    _, _, received, accepted, rejected, created, updated, unchanged, errors = msg
    outcome.received += received
    outcome.accepted += accepted
    outcome.rejected += rejected
    outcome.created += created
    outcome.updated += updated
    outcome.unchanged += unchanged
    room = MAX_REPORTED_ERRORS - len(outcome.errors)
    outcome.errors.extend(errors[:room])
    outcome.truncated = outcome.truncated or len(errors) > room
