"""The packaged starting model, for workspaces too small to train their own.

EM needs thousands of records to estimate anything; a workspace with a handful of customers
would get a degenerate model. Until a workspace reaches ``MIN_TRAIN_RECORDS`` its resolution uses
this model, trained once on the synthetic demo population (``profiles.synth``) and shipped in
``default_model.json``. Regenerate it (EM on two threads: close, not bit-identical) with:

    python -m cxloop.profiles.resolution.default_model
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

MIN_TRAIN_RECORDS = 2_000
PATH = Path(__file__).with_name("default_model.json")


@lru_cache(maxsize=1)
def default_model() -> dict[str, Any]:
    """The packaged model (a JSON dict as returned by ``resolve_full``)."""
    data: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))
    return data


def train_default(seed: int = 2024) -> dict[str, Any]:
    """Train the default model on the synthetic demo population."""
    from cxloop.profiles.resolution import build_record, resolve_full
    from cxloop.profiles.synth import demo_world

    _people, recs = demo_world(seed=seed)
    records = [
        build_record(
            i + 1,
            r["source"],
            r["external_id"],
            name=r["name"],
            emails=[r["email"]],
            email_verified=bool(r["email_verified"]),
            phones=[r["phone"], r["phone2"]],
            birth_date=r["birth_date"] or None,
            address=r["address"],
            postcode=r["postcode"],
            country=r["country"] or None,
        )
        for i, r in enumerate(recs.to_dict("records"))
    ]
    _result, model = resolve_full(records, unique_sources={"crm"}, seed=seed)
    model["trained_on"] = f"synthetic demo population, seed {seed}, {len(records)} records"
    return model


if __name__ == "__main__":
    PATH.write_text(json.dumps(train_default(), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")
