"""Survey submission bench: personal links answered with 5 answers, 32 at a time, through a real
uvicorn server, on SQLite and on PostgreSQL.

Each submission (``POST /api/v1/respond``) resolves the token, claims the single-use link,
stores the response and its 5 answers, records the journey interaction and queues the outbox
event, in one transaction. Beside it, in the same run and on the same database, the server's
deliberately minimal ``POST /bench/ceiling`` (a 5-field body, one tiny INSERT, same unit of
work) gives the ceiling. Rounds alternate ceiling and submissions. Target: submissions/s at
least 0.7 of the ceiling and p99 below 100 ms. Writes ``bench/results/survey_submit.json``.

    .venv/bin/python bench/survey_submit.py                    # both databases
    .venv/bin/python bench/survey_submit.py --requests 1000 --no-pg
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
TARGET_RATIO = 0.7
TARGET_P99_MS = 100.0
ANSWERS = {"nps": 9, "csat": 4, "ces": 6, "channel": "chat", "comment": "Quick and friendly"}


def _texts(s: str) -> dict[str, str]:
    return {"en": s, "zh-Hant": s + "（繁）", "zh-Hans": s + "（简）", "th": s + " (ไทย)"}


DEFINITION = {
    "languages": ["en", "zh-Hant", "zh-Hans", "th"],
    "default_language": "en",
    "title": _texts("Bench"),
    "thank_you": _texts("Thanks"),
    "questions": [
        {"key": "nps", "type": "nps", "text": _texts("Recommend?")},
        {"key": "csat", "type": "csat", "text": _texts("Satisfied?")},
        {"key": "ces", "type": "ces", "text": _texts("Easy?")},
        {"key": "channel", "type": "single", "text": _texts("Channel?"), "choices": [
            {"key": "phone", "text": _texts("Phone")}, {"key": "chat", "text": _texts("Chat")}]},
        {"key": "comment", "type": "text", "text": _texts("Anything else?")},
    ],
}  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str, links: int) -> list[str]:
    """Migrate, create a workspace, a customer, a published survey and ``links`` personal links."""
    os.environ["CXLOOP_DATABASE_URL"] = url
    from cxloop.core import config

    config.get_settings.cache_clear()
    from cxloop.core import db, jobs
    from cxloop.core.actor import system_actor
    from cxloop.core.migrate import upgrade
    from cxloop.migrations.models import import_all_models

    import_all_models()
    upgrade(url)
    from cxloop.auth import service as auth
    from cxloop.profiles.ingest import service as ingest
    from cxloop.profiles.ingest.schemas import SourceCreate
    from cxloop.surveys import service
    from cxloop.surveys.definition import parse
    from cxloop.surveys.schemas import LinkCreate

    with db.unit_of_work() as s:
        ws = auth.create_workspace(s, "bench", "Bench", "TH")
        op = system_actor(ws.id, "bench")
        ingest.create_source(s, op, SourceCreate(name="crm", kind="crm"))
    from cxloop.api.registry import routers
    from cxloop.profiles.ingest import service as ingest_service

    routers()  # job handlers
    from cxloop.profiles.ingest.parsing import rows_from_objects

    with db.unit_of_work() as s:
        src = ingest_service.get_source(s, op, "crm")
        batch, _ = ingest_service.open_batch(s, op, src, "customer", "rest")
        customer = {"id": "C1", "full_name": "Somchai Jaidee", "email": "c1@example.th",
                    "language": "th"}  # fmt: skip
        ingest_service.process(s, op, src, batch, rows_from_objects([customer]))
    jobs.run_pending()
    from sqlalchemy import select

    from cxloop.profiles.models import Profile

    with db.unit_of_work() as s:
        profile_id = s.scalar(select(Profile.id).limit(1))
        survey = service.create_survey(s, op, "Bench", parse(DEFINITION))
        service.set_status(s, op, survey.id, "active")
    tokens = []
    with db.unit_of_work() as s:
        for _ in range(links):
            _link, token = service.create_link(
                s, op, survey.id, LinkCreate(kind="personal", profile_id=profile_id)
            )
            tokens.append(token)
    db.dispose_engines()
    return tokens


async def _load(
    url: str, path: str, bodies: list[dict[str, Any]], concurrency: int
) -> dict[str, Any]:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    codes: dict[int, int] = {}
    queue = list(reversed(bodies))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                t0 = time.perf_counter()
                try:
                    status = (await client.post(path, json=body)).status_code
                except httpx.TransportError:  # counted, not hidden: the figures say so
                    status = 0
                latencies.append(time.perf_counter() - t0)
                codes[status] = codes.get(status, 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 3),
        "per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1),
        "codes": codes,
    }


def _run(backend: str, url: str, requests: int, rounds: int, concurrency: int) -> dict[str, Any]:
    tokens = _seed(url, requests * rounds + 50)
    port = _port()
    env = {**os.environ, "CXLOOP_DATABASE_URL": url, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "_survey_server.py"), str(port)],
                            env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        ceiling_body = {"a": 9, "b": 4, "c": 6, "d": "chat", "e": "Quick and friendly"}
        warm = [{"token": t, "answers": ANSWERS} for t in tokens[:50]]
        asyncio.run(_load(base, "/api/v1/respond", warm, concurrency))
        asyncio.run(_load(base, "/bench/ceiling", [ceiling_body] * 200, concurrency))
        out: dict[str, Any] = {"ceiling": [], "submit": []}
        for k in range(rounds):
            c = asyncio.run(_load(base, "/bench/ceiling", [ceiling_body] * requests, concurrency))
            part = tokens[50 + k * requests : 50 + (k + 1) * requests]
            s = asyncio.run(_load(base, "/api/v1/respond",
                                  [{"token": t, "answers": ANSWERS} for t in part], concurrency))  # fmt: skip
            out["ceiling"].append(c)
            out["submit"].append(s)
            print(f"  {backend:10s} round {k + 1}: ceiling {c['per_s']:>7,.0f}/s p99 {c['p99_ms']:>6.1f} ms"
                  f" | submit {s['per_s']:>7,.0f}/s p99 {s['p99_ms']:>6.1f} ms  codes {s['codes']}",
                  flush=True)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    ceiling = statistics.median(r["per_s"] for r in out["ceiling"])
    submit = statistics.median(r["per_s"] for r in out["submit"])
    p99 = max(r["p99_ms"] for r in out["submit"])
    out["summary"] = {
        "ceiling_per_s": ceiling,
        "submit_per_s": submit,
        "ratio": round(submit / ceiling, 3),
        "submit_p99_ms": p99,
        "ceiling_p99_ms": max(r["p99_ms"] for r in out["ceiling"]),
        "all_201": all(r["codes"] == {201: r["requests"]} for r in out["submit"] + out["ceiling"]),
        "target_met": submit / ceiling >= TARGET_RATIO and p99 < TARGET_P99_MS,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000, help="per round and kind")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--pg-url", default="")
    args = ap.parse_args()
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in os.getloadavg()]},
        "requests_per_round": args.requests, "rounds": args.rounds,
        "concurrency": args.concurrency, "answers": len(ANSWERS),
        "target": {"ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
    }  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="cxloop-bench-survey-"))
    if not args.no_sqlite:
        print("SQLite (WAL, one uvicorn process):", flush=True)
        url = f"sqlite:///{tmp / 'bench.db'}"
        results["sqlite"] = _run("sqlite", url, args.requests, args.rounds, args.concurrency)
    if not args.no_pg:
        pg_dir = None
        admin = args.pg_url
        if not admin:
            pg_dir = Path(tempfile.mkdtemp(prefix="cxloop-bench-pg-"))
            res = subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "start", str(pg_dir)],
                                 capture_output=True, text=True)  # fmt: skip
            admin = res.stdout.strip() if res.returncode == 0 else ""
            if not admin:
                print(f"PostgreSQL skipped: {res.stderr.strip()}")
        if admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS cxloop_bench_survey")
                conn.execute("CREATE DATABASE cxloop_bench_survey")
            url = admin.rsplit("/", 1)[0] + "/cxloop_bench_survey"
            url = url.replace("postgresql://", "postgresql+psycopg://")
            print("PostgreSQL (one uvicorn process):", flush=True)
            try:
                results["postgresql"] = _run("postgresql", url, args.requests, args.rounds,
                                             args.concurrency)  # fmt: skip
            finally:
                if pg_dir is not None:
                    subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", str(pg_dir)],
                                   capture_output=True)  # fmt: skip
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    for backend in ("sqlite", "postgresql"):
        if backend in results:
            s = results[backend]["summary"]
            if not s["all_201"]:
                print(f"{backend}: some requests were not 201 — the figures are not valid")
            verdict = "MET" if s["target_met"] else "NOT MET"
            print(f"{backend}: {s['submit_per_s']:,.0f} submissions/s vs ceiling "
                  f"{s['ceiling_per_s']:,.0f}/s = {s['ratio']:.2f} (target ≥ {TARGET_RATIO}); "
                  f"p99 {s['submit_p99_ms']:.1f} ms (target < {TARGET_P99_MS:.0f}) → {verdict}")  # fmt: skip
    out = ROOT / "bench" / "results" / "survey_submit.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
