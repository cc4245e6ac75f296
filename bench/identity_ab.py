"""Identity engine end to end (normalise + resolve), two source trees back to back.

Run: .venv/bin/python bench/identity_ab.py --old /path/to/old/src --new src [--size 1000000]
                                           [--rounds 2] [--cache DIR]

Generates the population once (cached as Parquet in --cache, default a temp folder), then
alternates old, new, old, new …: each run normalises the raw records (2 processes) in one
process and resolves them in another (bench/identity.py's cxloop method, 2 DuckDB threads,
800 MB limit), with PYTHONPATH set to that tree. Prints wall and CPU seconds of both stages,
peak RSS, the 1-minute load average, P/R/F1 and the largest cluster per run, then the new/old
ratios of the medians. The machine is shared: compare CPU seconds first, wall times only
between runs under similar load. Writes bench/results/identity_ab.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "identity_ab.json"


def _child(src: str, raw: Path, work: Path) -> dict[str, Any]:
    """One end-to-end run in a fresh interpreter importing cxloop from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    proc = subprocess.run(
        [sys.executable, __file__, "--run", str(raw), str(work)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return row


def _run(raw_path: Path, work: Path) -> None:
    """Inside the child: normalise, resolve in its own process, evaluate; print one JSON line."""
    sys.path.insert(0, str(HERE))
    import pandas as pd

    import cxloop
    import identity as bench

    raw = pd.read_parquet(raw_path)
    truth = raw[["record_id", "person_id", "source"]].astype({"source": str})
    load = os.getloadavg()[0]
    ddir, norm_s, norm_cpu = bench.prepare("data", raw, work, 2)
    del raw
    res = bench.run_isolated("cxloop", "generated", ddir, work / "out")
    if "error" in res:
        raise SystemExit(res["error"])
    res.update(bench.evaluate(truth, work / "out", cross_only=False))
    print(
        json.dumps(
            {
                "src": str(Path(cxloop.__file__).parent),
                "normalise_wall": round(norm_s, 1),
                "normalise_cpu": round(norm_cpu, 1),
                "resolve_wall": round(res["wall_seconds"], 1),
                "resolve_cpu": round(res["cpu_seconds"], 1),
                "end_to_end_wall": round(norm_s + res["wall_seconds"], 1),
                "end_to_end_cpu": round(norm_cpu + res["cpu_seconds"], 1),
                "peak_rss_mb": round(res["peak_rss_mb"]),
                "load_average_1min": [round(load, 2), round(res["load_average_1min"], 2)],
                "precision": res["precision"],
                "recall": res["recall"],
                "f1": res["f1"],
                "largest_cluster": res["largest_cluster"],
                "stages": res["timings"],
            }
        )
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--run":
        _run(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, help="the old tree's src folder")
    ap.add_argument("--new", required=True, help="the new tree's src folder")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cache", default=None, help="folder keeping the generated population")
    args = ap.parse_args()
    cache = Path(args.cache or tempfile.gettempdir()) / "identity-ab"
    cache.mkdir(parents=True, exist_ok=True)
    raw = cache / f"raw_{args.size}.parquet"
    if not raw.exists():
        sys.path.insert(0, str(HERE))
        import _identity_data as data

        frame, _ = data.generated_raw(args.size)
        frame.to_parquet(raw)
        del frame
    runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="identity-ab-") as tmp:
        for i in range(args.rounds):
            for tag in ("old", "new"):
                work = Path(tmp) / f"{tag}{i}"
                work.mkdir()
                row = _child(getattr(args, tag), raw, work)
                runs[tag].append(row)
                print(
                    f"{tag} {i + 1}: normalise {row['normalise_wall']:.1f} s "
                    f"({row['normalise_cpu']:.1f} CPU) + resolve {row['resolve_wall']:.1f} s "
                    f"({row['resolve_cpu']:.1f} CPU) = {row['end_to_end_wall']:.1f} s "
                    f"({row['end_to_end_cpu']:.1f} CPU), RSS {row['peak_rss_mb']} MB, "
                    f"load {row['load_average_1min']}, P={row['precision']:.4f} "
                    f"R={row['recall']:.4f} F1={row['f1']:.4f} "
                    f"largest={row['largest_cluster']}",
                    flush=True,
                )
    ratios = {}
    for key in ("end_to_end_wall", "end_to_end_cpu", "normalise_cpu", "resolve_cpu"):
        old = statistics.median(r[key] for r in runs["old"])
        new = statistics.median(r[key] for r in runs["new"])
        ratios[key] = round(new / old, 3) if old else None
        print(f"{key:<16} old {old:7.1f}  new {new:7.1f}  new/old {ratios[key]}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"size": args.size, "runs": runs, "ratios": ratios}, indent=2, default=str)
    )
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
