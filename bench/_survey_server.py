"""The bench's server: the real app on uvicorn (one process, no job worker) plus one deliberately
minimal route, ``POST /bench/ceiling``, that only the bench has: a 5-field JSON body and one
tiny INSERT committed through the same unit of work as the product. It is the ceiling a survey
submission is compared with, on the same database in the same run.

    python bench/_survey_server.py PORT   (CXLOOP_DATABASE_URL chooses the database)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]


class Tiny(BaseModel):
    """The ceiling's body: five fields, like a small survey answer set."""

    a: int
    b: int
    c: int
    d: str
    e: str


def main() -> None:
    import uvicorn
    from sqlalchemy import text

    from cxloop.api.app import create_app, freeze_heap
    from cxloop.core.db import get_engine, unit_of_work

    with get_engine().begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_ceiling (id INTEGER PRIMARY KEY, "
                "a INTEGER, b INTEGER, c INTEGER, d TEXT, e TEXT)"
                if get_engine().dialect.name == "sqlite"
                else "CREATE TABLE IF NOT EXISTS bench_ceiling (id BIGSERIAL PRIMARY KEY, "
                "a INTEGER, b INTEGER, c INTEGER, d TEXT, e TEXT)"
            )
        )
    app = create_app(worker=False)

    @app.post("/bench/ceiling", status_code=201)
    def ceiling(body: Tiny) -> dict[str, bool]:
        with unit_of_work() as session:
            session.execute(
                text("INSERT INTO bench_ceiling (a, b, c, d, e) VALUES (:a, :b, :c, :d, :e)"),
                body.model_dump(),
            )
        return {"ok": True}

    # first in the route list, like the respondent routes: neither pays for matching the rest
    app.router.routes.insert(0, app.router.routes.pop())
    freeze_heap()  # as ``cxloop serve`` does
    logging.getLogger("uvicorn.access").disabled = True
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
