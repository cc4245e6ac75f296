"""Ingest bench: 1,000,000 interaction events from JSON Lines into SQLite and into PostgreSQL.

Prints accepted rows/s of our ingest (validation, lineage, idempotency on; the file through
``service.process`` as the upload API runs it) beside the raw bulk-insert ceiling of the same
database measured in the same run (SQLite: stdlib executemany in one transaction into a plain
table with the same typed columns; PostgreSQL: one binary COPY into such a table), alternating
ceiling and ingest runs so that both see the same machine. Writes ``bench/results/ingest.json``.

    .venv/bin/python bench/ingest.py                  # 1M rows, 2 rounds, both databases
    .venv/bin/python bench/ingest.py --rows 100000 --rounds 1 --no-pg
    .venv/bin/python bench/ingest.py --pg-url postgresql://user@host:5432/postgres

Without ``--pg-url`` a throwaway PostgreSQL cluster is started with scripts/pg-cluster.sh (and
PostgreSQL is skipped, saying so, when it is not installed).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
TARGET = 0.5


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _data(rows: int) -> tuple[Path, int]:
    from _ingest_data import write_events

    path = ROOT / "bench" / "data" / f"interactions-{rows}.jsonl"
    marker = path.with_suffix(".bad")
    if not path.exists() or not marker.exists():
        print(f"writing {rows:,} events to {path.relative_to(ROOT)} ...", flush=True)
        marker.write_text(str(write_events(path, rows)))
    return path, int(marker.read_text())


def _pg_start() -> tuple[str | None, Path | None]:
    script = ROOT / "scripts" / "pg-cluster.sh"
    directory = Path(tempfile.mkdtemp(prefix="cxloop-bench-pg-"))  # the postgres user goes here
    res = subprocess.run([str(script), "start", str(directory)], capture_output=True, text=True)
    if res.returncode != 0:
        reason = res.stderr.strip() or res.stdout.strip() or "the cluster did not start"
        print(f"PostgreSQL skipped: {reason}")
        return None, None
    return res.stdout.strip(), directory


def _pg_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _round(backend: str, k: int, ceiling: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    rep = ours["report"]
    rate = rep["accepted"] / ours["seconds"]
    ratio = rate / ceiling["rows_per_s"]
    print(
        f"  {backend:10s} round {k}: ceiling {ceiling['rows_per_s']:>9,.0f} rows/s "
        f"({ceiling['seconds']:.1f} s) | ours {rate:>9,.0f} accepted rows/s "
        f"({ours['seconds']:.1f} s, {ours['cpu'] / rep['received'] * 1e6:.1f} CPU-µs/row) "
        f"| ratio {ratio:.2f}",
        flush=True,
    )
    return {
        "round": k,
        "ceiling": ceiling,
        "ours": {**ours, "accepted_per_s": rate},
        "ratio": ratio,
        "load_avg": _load(),
    }


def bench(backend: str, path: Path, rounds: int, url_for: Any, ceiling: Any) -> dict[str, Any]:
    """Alternate ceiling and ingest ``rounds`` times on fresh databases; then re-send once."""
    import _ingest_ours as ours

    rows = ours.ceiling_rows(path, sqlite=backend == "sqlite")
    results = []
    actor = None
    for k in range(1, rounds + 1):
        gc.collect()
        c = ceiling(rows)
        actor = ours.setup(url_for(f"ours{k}"))
        results.append(_round(backend, k, c, ours.run(actor, path, f"bench-{k}")))
        report = results[-1]["ours"]["report"]
        assert report["accepted"] + report["rejected"] == report["received"]
        assert results[-1]["ours"]["stored"] == report["created"]
    gc.collect()
    indexed = ceiling(rows, True)  # for reference: the same insert, into a table with its indexes
    print(
        f"  {backend:10s} for reference, the ceiling's insert into a table with the indexes of "
        f"interactions: {indexed['rows_per_s']:,.0f} rows/s ({indexed['seconds']:.1f} s)"
    )
    del rows
    again = ours.run(actor, path, "bench-again")  # the same file re-sent under a new key
    rep = again["report"]
    assert rep["unchanged"] == rep["accepted"] and rep["created"] == rep["updated"] == 0
    print(f"  {backend:10s} re-send: {rep['accepted'] / again['seconds']:,.0f} rows/s unchanged")
    ratios = [r["ratio"] for r in results]
    best = max(r["ours"]["accepted_per_s"] for r in results)
    return {
        "rounds": results,
        "indexed_ceiling": indexed,
        "best_ratio_to_indexed_ceiling": best / indexed["rows_per_s"],
        "median_ratio": statistics.median(ratios),
        "target_met": statistics.median(ratios) >= TARGET,
        "resend": {**again, "rows_per_s": rep["accepted"] / again["seconds"]},
    }


def main() -> None:
    """Run the bench (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--pg-url", help="an admin URL of a PostgreSQL server to use instead")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = ap.parse_args()

    import _ingest_ceiling as ceil
    from cxloop.migrations.models import import_all_models

    import_all_models()
    path, bad = _data(args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="cxloop-bench-ingest-"))
    os.environ.setdefault("CXLOOP_SECRET_KEY", "bench")
    os.environ["CXLOOP_DATA_DIR"] = str(tmp)
    out: dict[str, Any] = {
        "command": "python bench/ingest.py " + " ".join(sys.argv[1:]),
        "rows": args.rows,
        "bad_rows": bad,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
        },
        "load_avg_start": _load(),
        "target_ratio": TARGET,
        "results": {},
    }
    print(f"{args.rows:,} events ({bad:,} invalid on purpose), load average {_load()}")
    if not args.no_sqlite:
        out["results"]["sqlite"] = bench(
            "sqlite",
            path,
            args.rounds,
            lambda name: f"sqlite:///{tmp / (name + '.db')}",
            lambda rows, indexed=False: ceil.sqlite_ceiling(tmp, rows, indexed),
        )
    pg_dir = None
    try:
        admin = None if args.no_pg else args.pg_url
        if not args.no_pg and admin is None:
            admin, pg_dir = _pg_start()
        if admin:
            import psycopg

            with psycopg.connect(admin) as conn:
                version = conn.execute("SHOW server_version").fetchone()
            out["machine"]["postgresql"] = version[0] if version else None
            base = admin.replace("postgresql://", "postgresql+psycopg://", 1)
            out["results"]["postgresql"] = bench(
                "postgresql",
                path,
                args.rounds,
                lambda name: _pg_database(admin, f"bench_{name}").replace(
                    admin.rsplit("/", 1)[0], base.rsplit("/", 1)[0], 1
                ),
                lambda rows, indexed=False: ceil.pg_ceiling(
                    _pg_database(admin, "bench_ceiling"), rows, indexed
                ),
            )
    finally:
        from cxloop.core import db

        db.dispose_engines()
        if pg_dir is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", str(pg_dir)])
        shutil.rmtree(tmp, ignore_errors=True)  # the SQLite files: about 1 GB per round
    out["load_avg_end"] = _load()
    for backend, res in out["results"].items():
        verdict = "met" if res["target_met"] else "NOT met"
        print(f"{backend}: median ratio {res['median_ratio']:.2f} -> target {TARGET} {verdict}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":  # the ingest's worker processes import this module: keep the guard
    main()
