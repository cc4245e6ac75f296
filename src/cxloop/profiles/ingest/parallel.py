"""Large JSON Lines files on several cores: workers parse, validate and store blocks, in turn.

The main process reads blocks of raw lines and hands them round-robin to worker processes. Each
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

import multiprocessing as mp
import os
import queue
from dataclasses import dataclass, field
from typing import Any

from cxloop.profiles.ingest import worker
from cxloop.profiles.ingest.parsing import JsonLines

BLOCK_CHARS = 24 * 1024 * 1024  # ~70k rows of 350 characters, one transaction each
WORKERS = max(1, min(2, os.cpu_count() or 1))
MAX_REPORTED_ERRORS = 100


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


def run(setup: Setup, lines: JsonLines, workers: int = WORKERS) -> Outcome:
    """Parse, validate and store the rest of a JSON Lines file with ``workers`` processes."""
    ctx = _context()
    turn = ctx.Value("q", 0)
    cond = ctx.Condition()
    results: Any = ctx.Queue()
    tasks: list[Any] = [ctx.Queue(maxsize=2) for _ in range(workers)]
    procs = [
        ctx.Process(
            target=worker.work,
            args=(setup, tasks[w], results, turn, cond, os.getpid()),
            daemon=True,
        )
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    outcome = Outcome()
    by_block: dict[int, tuple[Any, ...]] = {}
    sent = 0
    try:
        hint = BLOCK_CHARS // 4  # a small first block: the first write starts sooner
        while (block := lines.block(hint)) is not None:
            _put(tasks[sent % workers], (sent, *block), results, by_block)
            sent, hint = sent + 1, BLOCK_CHARS
        for q in tasks:
            _put(q, None, results, by_block)
        while len(by_block) < sent:
            _collect(results, by_block, timeout=0.5)
            if len(by_block) < sent and any(p.exitcode not in (None, 0) for p in procs):
                _collect(results, by_block, timeout=0.5)  # its last words, if any
                raise RuntimeError("an ingest worker died")
        for p in procs:
            p.join()
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    for k in range(sent):
        _add(outcome, by_block[k])
    return outcome


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
