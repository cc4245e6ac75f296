"""Identity resolution through the product on the demo world: `cxloop demo` into a fresh database,
then pairwise precision, recall and F1 of the profiles against the world's ground truth.

Unlike bench/identity.py (the engine on its own, beside its baselines), this measures what a
user of the product gets: ingest, normalisation, the packaged model or a trained one, the
workspace thresholds (auto-merge at 0.95) and the clustering, end to end.

Run: .venv/bin/python bench/identity_demo.py [--people 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _pairs(groups: dict[object, list[tuple[str, str]]]) -> set[tuple[tuple[str, str], ...]]:
    out = set()
    for members in groups.values():
        out |= set(combinations(sorted(members), 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cxloop-bench-demo-"))
    os.environ["CXLOOP_DATABASE_URL"] = f"sqlite:///{tmp / 'demo.db'}"
    os.environ["CXLOOP_DATA_DIR"] = str(tmp)
    from datetime import date

    from sqlalchemy import select

    from cxloop.core.db import unit_of_work
    from cxloop.core.tenancy import Workspace
    from cxloop.profiles.demo.load import load_demo
    from cxloop.profiles.demo.world import build
    from cxloop.profiles.ingest.models import Source
    from cxloop.profiles.models import CustomerRecord

    t0 = time.perf_counter()
    load_demo("demo", args.people, args.seed)
    seconds = time.perf_counter() - t0
    with unit_of_work(write=False) as s:
        ws = s.scalar(select(Workspace).where(Workspace.slug == "demo"))
        assert ws is not None
        anchor = date.fromisoformat(ws.settings["demo_anchor"])
        names = dict(s.execute(select(Source.id, Source.name)).all())
        rows = s.execute(
            select(CustomerRecord.source_id, CustomerRecord.external_id, CustomerRecord.profile_id)
        ).all()
    truth = build(args.people, args.seed, anchor).truth
    predicted: dict[object, list[tuple[str, str]]] = defaultdict(list)
    actual: dict[object, list[tuple[str, str]]] = defaultdict(list)
    for source_id, ext, profile_id in rows:
        key = (names[source_id], ext)
        predicted[profile_id].append(key)
        actual[truth[key]].append(key)
    p, t = _pairs(predicted), _pairs(actual)
    tp = len(p & t)
    precision, recall = tp / len(p), tp / len(t)
    result = {
        "people": args.people,
        "records": len(rows),
        "profiles": len(predicted),
        "true_pairs": len(t),
        "predicted_pairs": len(p),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4),
        "largest_profile": max(len(m) for m in predicted.values()),
        "load_and_resolve_seconds": round(seconds, 1),
        "target_f1": 0.97,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "identity_demo.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
