"""The sentiment head: a small MLP on sentence embeddings, stored as JSON inside the package."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cxloop.text.mlp import MlpWeights, predict_proba
from cxloop.text.types import Sentiment, SentimentLabel

CLASSES: tuple[SentimentLabel, SentimentLabel, SentimentLabel] = ("negative", "neutral", "positive")
FORMAT = "cxloop-sentiment-head/1"
HEAD_FILE = "sentiment_head.json"
F32 = npt.NDArray[np.float32]


def _pack(a: npt.NDArray[Any], dtype: str) -> dict[str, Any]:
    arr = np.ascontiguousarray(a, dtype=dtype)
    return {
        "shape": list(arr.shape),
        "dtype": dtype,
        "data": base64.b64encode(arr.tobytes()).decode(),
    }


def _unpack(d: dict[str, Any]) -> npt.NDArray[Any]:
    raw = base64.b64decode(d["data"])
    return np.frombuffer(raw, dtype=d["dtype"]).reshape(d["shape"]).copy()


@dataclass
class SentimentHead:
    """A three-class head (negative, neutral, positive) with its model card."""

    weights: MlpWeights
    encoder: str
    card: dict[str, Any] = field(default_factory=dict)
    name: str = "base"

    @property
    def version(self) -> str:
        """A short content hash of the weights: changes whenever the head is retrained."""
        h = hashlib.sha256()
        for a in (self.weights.w1, self.weights.b1, self.weights.w2, self.weights.b2):
            h.update(np.ascontiguousarray(a, dtype=np.float16).tobytes())
        return f"{self.name}-{h.hexdigest()[:10]}"

    def predict_proba(self, x: F32) -> F32:
        """(n, 3) probabilities in CLASSES order for embedding rows ``x``."""
        if len(x) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        return predict_proba(self.weights, np.asarray(x, dtype=np.float32))

    def predict(self, x: F32) -> list[Sentiment]:
        """One Sentiment per embedding row."""
        return [to_sentiment(p) for p in self.predict_proba(x)]

    def to_json(self) -> dict[str, Any]:
        """The head as a JSON-ready dict (weights in float16, base64)."""
        w = self.weights
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "encoder": self.encoder,
            "classes": list(CLASSES),
            "weights": {
                "w1": _pack(w.w1, "<f2"),
                "b1": _pack(w.b1, "<f4"),
                "w2": _pack(w.w2, "<f4"),
                "b2": _pack(w.b2, "<f4"),
            },
            "card": self.card,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentimentHead:
        """Read a head written by ``to_json``."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a sentiment head: {data.get('format')!r}")
        ws = data["weights"]
        weights = MlpWeights(*(_unpack(ws[k]).astype(np.float32) for k in ("w1", "b1", "w2", "b2")))
        return cls(weights, data["encoder"], data.get("card", {}), data.get("name", "base"))

    def save(self, path: Path) -> None:
        """Write the head as JSON."""
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> SentimentHead:
        """Read a head from a JSON file."""
        return cls.from_json(json.loads(path.read_text("utf-8")))


def to_sentiment(p: npt.NDArray[np.floating[Any]]) -> Sentiment:
    """Label and score from one probability row (negative, neutral, positive)."""
    neg, neu, pos = (float(v) for v in p)
    label = CLASSES[int(np.argmax(p))]
    return Sentiment(label, round(pos - neg, 4), (round(neg, 4), round(neu, 4), round(pos, 4)))


def models_dir() -> Path:
    """The folder of the packaged models."""
    return Path(str(resources.files("cxloop.text") / "models"))


@lru_cache(maxsize=1)
def default_head() -> SentimentHead:
    """The committed base head (trained by ``cxloop.text.train``)."""
    return SentimentHead.load(models_dir() / HEAD_FILE)
