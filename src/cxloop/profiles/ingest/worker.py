"""An ingest worker process (see ``parallel``): prepares blocks of lines, stores them in turn.

Imports everything it needs up front: the fork server preloads this module once, and each worker
forked from it then starts without importing anything.
"""

from __future__ import annotations

import gc
import os
import select
import threading
import time
import traceback
from typing import Any

from cxloop.core.db import make_engine, new_session
from cxloop.migrations.models import import_all_models
from cxloop.profiles.ingest import pipeline
from cxloop.profiles.ingest.parsing import parse_lines
from cxloop.profiles.ingest.prepare import Prepared, Preparer
from cxloop.profiles.ingest.projections import PROJECTIONS
from cxloop.profiles.ingest.validation import Validator

import_all_models()


def _watch(pid: int) -> None:
    """Exit this process as soon as process ``pid`` has ended (a daemon thread)."""

    def wait() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # not Linux, or no pidfd: poll
            while True:
                time.sleep(0.2)
                try:
                    os.kill(pid, 0)
                except OSError:
                    os._exit(1)
        select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=wait, name="ingest-watchdog", daemon=True).start()


def idle() -> None:
    """Do nothing: a process started only to boot the fork server (``parallel.prestart``)."""


def work(setup: Any, tasks: Any, results: Any, turn: Any, cond: Any, parent: int) -> None:
    """A worker: prepare each block given, then store it when its turn comes."""
    _watch(parent)
    gc.disable()  # short-lived and cycle-free: collections would only cost time
    block = -1
    try:
        engine = make_engine(setup.url)
        preparer = Preparer(Validator(*setup.validator), PROJECTIONS[setup.entity], setup.ctx)
        while (task := tasks.get()) is not None:
            block, first, lines = task
            rows = parse_lines(first, lines)
            prepared = Prepared()
            for i in range(0, len(rows), pipeline.CHUNK):
                prepared.extend(preparer.prepare(rows[i : i + pipeline.CHUNK]))
            with cond:
                cond.wait_for(lambda b=block: turn.value == b)
            session = new_session(write=True, engine=engine)
            try:
                run = pipeline.Run(None)
                pipeline.apply(session, setup.ctx, run, prepared, setup.entity)
                session.commit()
            finally:
                session.close()
            with cond:
                turn.value = block + 1
                cond.notify_all()
            c = run.counts
            errors = [(e.line, e.external_id, e.errors) for e in run.errors]
            results.put(
                (
                    "ok",
                    block,
                    c.received,
                    c.accepted,
                    c.rejected,
                    c.created,
                    c.updated,
                    c.unchanged,
                    errors,
                )
            )
        engine.dispose()
    except BaseException:
        results.put(("error", block, traceback.format_exc()))
        raise
