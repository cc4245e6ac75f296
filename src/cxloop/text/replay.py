"""A compact sample of the base data's embeddings, shipped so a workspace head trains in seconds.

Workspace tuning mixes the workspace's own labelled examples with this replay sample (so the head
does not forget the base languages) and re-scores a base held-out sample before and after. The
vectors are int8 with one scale per row (~1 KB per 2 examples once base64-encoded).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cxloop.text.encoder import Matrix

if TYPE_CHECKING:
    from cxloop.text.corpora import Dataset

REPLAY_FILE = "sentiment_replay.json"
PER_GROUP = 250
EVAL_PER_SET = 300
EVAL_SETS = ("zh-Hans", "zh-Hant", "en")


@dataclass(frozen=True)
class Replay:
    """Training rows (x, y) and per-set evaluation rows of the base data."""

    x: Matrix
    y: npt.NDArray[np.int64]
    eval_sets: dict[str, tuple[Matrix, npt.NDArray[np.int64]]]


def _quantize(x: Matrix) -> dict[str, object]:
    scale = np.abs(x).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.round(x / scale[:, None]).astype(np.int8)
    return {
        "rows": int(x.shape[0]),
        "dim": int(x.shape[1]),
        "q": base64.b64encode(q.tobytes()).decode(),
        "scale": base64.b64encode(scale.astype("<f4").tobytes()).decode(),
    }


def _dequantize(d: dict[str, object]) -> Matrix:
    rows, dim = int(str(d["rows"])), int(str(d["dim"]))
    q = np.frombuffer(base64.b64decode(str(d["q"])), dtype=np.int8).reshape(rows, dim)
    scale = np.frombuffer(base64.b64decode(str(d["scale"])), dtype="<f4")
    x = q.astype(np.float32) * scale[:, None]
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
    return np.asarray(x, dtype=np.float32)


def write_replay(
    path: Path, data: Dataset, x_train: Matrix, test_x: dict[str, Matrix], *, seed: int
) -> None:
    """Write a stratified sample of training rows and a per-set evaluation sample."""
    rng = np.random.default_rng(seed)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, e in enumerate(data.train):
        groups.setdefault((e.lang, e.label), []).append(i)
    picked: list[int] = []
    for key in sorted(groups):
        idx = np.array(groups[key])
        picked += sorted(rng.permutation(idx)[:PER_GROUP].tolist())
    y = np.array([data.train[i].label for i in picked], dtype=np.int64)
    payload: dict[str, object] = {
        "format": "cxloop-sentiment-replay/1",
        "train": {**_quantize(x_train[picked]), "y": y.tolist()},
        "eval": {},
    }
    evals: dict[str, object] = {}
    for name in EVAL_SETS:
        examples = data.test[name]
        order = rng.permutation(len(examples))[:EVAL_PER_SET]
        ys = [examples[i].label for i in order]
        evals[name] = {**_quantize(test_x[name][order]), "y": ys}
    payload["eval"] = evals
    path.write_text(json.dumps(payload) + "\n", "utf-8")


def read_replay(path: Path) -> Replay:
    """Read a replay file."""
    data = json.loads(path.read_text("utf-8"))
    train = data["train"]
    evals = {
        name: (_dequantize(d), np.array(d["y"], dtype=np.int64)) for name, d in data["eval"].items()
    }
    return Replay(_dequantize(train), np.array(train["y"], dtype=np.int64), evals)


@lru_cache(maxsize=1)
def default_replay() -> Replay:
    """The replay sample committed next to the base head."""
    from cxloop.text.sentiment import models_dir

    return read_replay(models_dir() / REPLAY_FILE)
