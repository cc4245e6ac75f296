"""Workspace-tuned sentiment heads: retrain on a workspace's own labelled examples in seconds.

The new head starts from the base head's weights and trains on the workspace's examples mixed
with the shipped replay sample of the base data (so it keeps what it knew). The report gives the
workspace score before (base head) and after (k-fold cross-validated: each example is scored by a
head that did not see it), and the base held-out scores before and after, so a regression on the
base languages is visible. This is how a language without shipped labelled data — Thai today —
becomes first class: a few hundred labelled Thai comments from the workspace.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxloop.text import mlp
from cxloop.text.encoder import Encoder, Matrix, default_encoder
from cxloop.text.language import detect_language
from cxloop.text.metrics import score, score_proba
from cxloop.text.pii import normalize_text, redact
from cxloop.text.pipeline import Analyzer
from cxloop.text.replay import Replay, default_replay
from cxloop.text.sentiment import CLASSES, SentimentHead, default_head
from cxloop.text.types import Scores, TuneReport

Label = str | int | float | bool


def label_index(label: Label) -> int:
    """0/1/2 from a label name, a class index, a score in [-1, 1] or a thumbs up/down bool."""
    if isinstance(label, bool):
        return 2 if label else 0
    if isinstance(label, str):
        key = label.strip().lower()
        aliases = {"neg": "negative", "pos": "positive", "neu": "neutral", "-1": "negative",
                   "0": "neutral", "1": "positive"}  # fmt: skip
        key = aliases.get(key, key)
        if key not in CLASSES:
            raise ValueError(f"unknown sentiment label {label!r}")
        return CLASSES.index(key)
    if isinstance(label, int) and label in (0, 1, 2):
        return int(label)
    value = float(label)
    return 0 if value < -1 / 3 else 2 if value > 1 / 3 else 1


def _fit(
    base: SentimentHead,
    replay: Replay,
    x: Matrix,
    y: npt.NDArray[np.int64],
    *,
    seed: int,
) -> mlp.MlpWeights:
    n, r = len(x), len(replay.x)
    weight = float(min(20.0, max(3.0, 0.25 * r / max(n, 1))))
    xs = np.vstack([replay.x, x]).astype(np.float32)
    ys = np.concatenate([replay.y, y]).astype(np.int64)
    sw = np.concatenate([np.ones(r, dtype=np.float32), np.full(n, weight, dtype=np.float32)])
    return mlp.fit(
        xs, ys, sample_weight=sw, init=base.weights, lr=5e-4, max_epochs=30, patience=4, seed=seed
    )


def _folds(n: int, k: int, seed: int) -> list[npt.NDArray[np.int64]]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def tune_head(
    examples: Sequence[tuple[str, Label]],
    *,
    base: SentimentHead | None = None,
    encoder: Encoder | None = None,
    replay: Replay | None = None,
    folds: int = 5,
    seed: int = 0,
    name: str = "workspace",
) -> tuple[SentimentHead, TuneReport]:
    """A head tuned on ``examples`` (text, label) and the before/after report."""
    started = time.perf_counter()
    if len(examples) < 2:
        raise ValueError("need at least two labelled examples")
    base = base or default_head()
    replay = replay or default_replay()
    enc = encoder or default_encoder()
    texts = [redact(normalize_text(t)).redacted for t, _ in examples]
    y = np.array([label_index(lab) for _, lab in examples], dtype=np.int64)
    langs = Counter(detect_language(t).code for t in texts)
    x = Analyzer(encoder=enc).embed(texts)  # as the analyzer will see them
    before = score(y, base.predict_proba(x).argmax(axis=1))
    notes: list[str] = []
    k = min(folds, len(examples))
    if k >= 2:
        predicted = np.zeros(len(y), dtype=np.int64)
        for held in _folds(len(y), k, seed):
            keep = np.setdiff1d(np.arange(len(y)), held)
            w = _fit(base, replay, x[keep], y[keep], seed=seed)
            predicted[held] = mlp.predict_proba(w, x[held]).argmax(axis=1)
        after = score(y, predicted)
        notes.append(f"workspace_after is {k}-fold cross-validated")
    else:  # pragma: no cover - guarded above
        after = before
    weights = _fit(base, replay, x, y, seed=seed)
    tuned = SentimentHead(weights, base.encoder, dict(base.card), name=name)
    tuned.card = {
        **{k: v for k, v in base.card.items() if k in ("architecture", "split")},
        "tuned_from": base.version,
        "workspace_examples": len(examples),
        "workspace_languages": dict(langs),
    }
    base_before: dict[str, Scores] = {}
    base_after: dict[str, Scores] = {}
    for set_name, (ex, ey) in replay.eval_sets.items():
        binary = set_name.startswith("zh")
        base_before[set_name] = score_proba(base.predict_proba(ex), ey, binary=binary)
        base_after[set_name] = score_proba(tuned.predict_proba(ex), ey, binary=binary)
    if len(examples) < 50:
        notes.append("fewer than 50 examples: the after-score is noisy")
    report = TuneReport(
        len(examples),
        dict(langs),
        before,
        after,
        base_before,
        base_after,
        round(time.perf_counter() - started, 2),
        tuple(notes),
    )
    return tuned, report
