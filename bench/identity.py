"""Identity-resolution benchmark: cxloop's engine vs plain Splink vs recordlinkage (ECM).

Run: .venv/bin/python bench/identity.py [--size 1000000] [--only febrl|generated|demo]
                                         [--baseline-size N] [--workers 2]
Prints a table (and cxloop's end-to-end time: normalisation + resolution) and writes
bench/results/identity.json; bench/identity_ab.py compares two source trees back to back.
Every method runs in its own process (peak RSS = the process's own VmHWM); metrics are
computed afterwards from its output files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _identity_data as data  # noqa: E402

RESULTS = HERE / "results" / "identity.json"


THRESHOLD = {"value": 0.5}


def run_isolated(method: str, dataset: str, ddir: Path, out: Path) -> dict[str, Any]:
    """Run a method in a child process; return its result with wall time and peak RSS."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "_identity_worker.py"),
            method,
            dataset,
            str(ddir),
            str(out),
            str(THRESHOLD["value"] if method == "cxloop" else 0.5),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if status != 0 or not (out / "result.json").exists():
        return {"error": err[-2000:], "process_seconds": wall}
    res: dict[str, Any] = json.loads((out / "result.json").read_text())
    res["process_seconds"] = wall
    # CPU seconds (user + system, all threads) of the child: unlike wall time, barely moved
    # by other load on a shared machine.
    res["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    res["load_average_1min"] = os.getloadavg()[0]  # other load while it ran (2 cores)
    res.setdefault("peak_rss_mb", usage.ru_maxrss / 1024)
    return res


def evaluate(truth: pd.DataFrame, out: Path, cross_only: bool) -> dict[str, Any]:
    """Pairwise precision/recall/F1 of the clusters, blocking recall, cluster statistics.

    Pair counts come from group sizes (sum of n(n-1)/2), so a chained giant cluster costs
    nothing to score; for a two-file linkage (FEBRL4) only cross-file pairs count.
    """
    con = duckdb.connect()
    con.register("truth", truth[["record_id", "person_id", "source"]])
    con.execute(
        f"""CREATE TABLE cl AS SELECT c.record_id, c.cluster, t.person_id, t.source
            FROM read_parquet('{out / "clusters.parquet"}') c JOIN truth t USING (record_id)"""
    )

    def pairs(group: str) -> int:
        if cross_only:
            sql = f"""SELECT coalesce(sum(a * b), 0) FROM (SELECT count(*) FILTER (source = 'A') AS a,
                      count(*) FILTER (source = 'B') AS b FROM cl GROUP BY {group})"""
        else:
            sql = f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM cl GROUP BY {group})"
        return int(con.execute(sql).fetchall()[0][0])

    true_pairs = pairs("person_id")
    pred_pairs = pairs("cluster")
    hit = pairs("cluster, person_id")
    cross = "AND a.source <> b.source" if cross_only else ""
    con.execute(
        f"""CREATE TABLE tp AS SELECT a.record_id AS l, b.record_id AS r FROM truth a JOIN truth b
            ON a.person_id = b.person_id AND a.record_id < b.record_id {cross}"""
    )
    blocked = int(
        con.execute(
            f"""SELECT count(*) FROM (SELECT DISTINCT least(l, r) AS l, greatest(l, r) AS r
                FROM read_parquet('{out / "pairs.parquet"}')) JOIN tp USING (l, r)"""
        ).fetchall()[0][0]
    )
    sizes = con.execute("SELECT count(*) AS n FROM cl GROUP BY cluster").df()["n"]
    con.close()
    p = hit / pred_pairs if pred_pairs else 0.0
    r = hit / true_pairs if true_pairs else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "blocking_recall": round(blocked / true_pairs, 4) if true_pairs else 0.0,
        "largest_cluster": int(sizes.max()),
        "clusters": len(sizes),
    }


def prepare(name: str, raw: pd.DataFrame, root: Path, workers: int) -> tuple[Path, float, float]:
    """Write raw and normalised records; return the folder, normalise wall and CPU seconds."""
    ddir = root / name
    ddir.mkdir(parents=True, exist_ok=True)
    raw.to_parquet(ddir / "raw.parquet")
    took, cpu = data.normalise(raw, ddir / "norm.parquet", workers)
    return ddir, took, cpu


def bench_dataset(
    name: str,
    kind: str,
    raw: pd.DataFrame,
    root: Path,
    methods: list[str],
    workers: int,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Prepare, run every method, evaluate; print one line per method."""
    ddir, norm_s, norm_cpu = prepare(name, raw, root, workers)
    truth = raw[["record_id", "person_id", "source"]].astype({"source": str})
    n = len(raw)
    out: dict[str, Any] = {
        "records": n,
        "normalise_seconds": round(norm_s, 2),
        "normalise_cpu_seconds": round(norm_cpu, 2),
        "load_average_1min": os.getloadavg()[0],
        **extra,
        "methods": {},
    }
    for m in methods:
        res = run_isolated(m, kind, ddir, root / f"{name}_{m}")
        if "error" in res:
            print(f"  {name:<22} {m:<18} FAILED: {res['error'][-300:]}")
            out["methods"][m] = res
            continue
        res.update(evaluate(truth, root / f"{name}_{m}", cross_only=kind == "febrl4"))
        res["records_per_second"] = round(n / res["wall_seconds"])
        out["methods"][m] = res
        print(
            f"  {name:<22} {m:<18} P={res['precision']:.4f} R={res['recall']:.4f} F1={res['f1']:.4f} "
            f"wall={res['wall_seconds']:.1f}s cpu={res['cpu_seconds']:.0f}s rss={res['peak_rss_mb']:.0f}MB "
            f"pairs={res['candidate_pairs']:,} block_recall={res['blocking_recall']:.4f} "
            f"largest={res['largest_cluster']} clusters={res['clusters']:,}",
            flush=True,
        )
        if m == "cxloop":  # the target counts normalisation too
            res["end_to_end_seconds"] = round(norm_s + res["wall_seconds"], 2)
            res["end_to_end_cpu_seconds"] = round(norm_cpu + res["cpu_seconds"], 2)
            print(
                f"  {name:<22} {'cxloop end to end':<18} normalise {norm_s:.1f} s + resolve "
                f"{res['wall_seconds']:.1f} s = {res['end_to_end_seconds']:.1f} s wall, "
                f"{res['end_to_end_cpu_seconds']:.0f} s CPU, load {res['load_average_1min']:.1f}",
                flush=True,
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--size", type=int, default=1_000_000, help="records in the generated population"
    )
    ap.add_argument("--only", choices=["febrl", "generated", "demo"], default=None)
    ap.add_argument(
        "--baseline-size",
        type=int,
        default=200_000,
        help="records of the (separately generated) population the baselines run on "
        "when --size is larger; Splink also runs at full size unless --no-full-splink",
    )
    ap.add_argument("--no-full-splink", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="processes for normalisation")
    ap.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="cxloop's auto-merge threshold for the clusters scored (baselines: 0.5)",
    )
    args = ap.parse_args()
    THRESHOLD["value"] = args.threshold
    all_methods = ["cxloop", "splink_default", "recordlinkage_ecm"]
    report: dict[str, Any] = {
        "command": " ".join([".venv/bin/python", "bench/identity.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "datasets": {},
    }
    if RESULTS.exists() and args.only:
        report["datasets"] = json.loads(RESULTS.read_text()).get("datasets", {})
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        root = Path(tmp)
        if args.only in (None, "febrl"):
            print("FEBRL (sanity check, SSN removed)")
            for kind in ("febrl4", "febrl3"):
                report["datasets"][kind] = bench_dataset(
                    kind, kind, data.febrl_raw(kind), root, all_methods, args.workers, {}
                )
        if args.only in (None, "generated"):
            print(f"Generated population ({args.size:,} records requested)")
            raw, gen_s = data.generated_raw(args.size)
            big = args.size > args.baseline_size
            methods = (
                ["cxloop"]
                + ([] if (big and args.no_full_splink) else ["splink_default"])
                + ([] if big else ["recordlinkage_ecm"])
            )
            report["datasets"][f"generated_{args.size}"] = bench_dataset(
                f"generated_{args.size}",
                "generated",
                raw,
                root,
                methods,
                args.workers,
                {"generate_seconds": round(gen_s, 2)},
            )
            del raw
            if big:
                raw, gen_s = data.generated_raw(args.baseline_size)
                report["datasets"][f"generated_{args.baseline_size}"] = bench_dataset(
                    f"generated_{args.baseline_size}",
                    "generated",
                    raw,
                    root,
                    all_methods,
                    args.workers,
                    {"generate_seconds": round(gen_s, 2), "note": "baseline-size population"},
                )
        if args.only in (None, "demo"):
            print("Demo world")
            raw, gen_s = data.demo_raw()
            report["datasets"]["demo"] = bench_dataset(
                "demo",
                "demo",
                raw,
                root,
                all_methods,
                args.workers,
                {"generate_seconds": round(gen_s, 2)},
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str))
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
