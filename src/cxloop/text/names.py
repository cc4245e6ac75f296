"""Chinese person names, found only where the context says a name is there.

A surname from the common-surname list followed by one or two Han characters counts as a name
when a title or form of address follows it (王小明先生, 陳經理, 李師傅) or an introducing phrase
precedes it (我叫…, 聯絡人：…, 收件人…). This favours precision: a bare name in running text
without any such cue is not found (the tests and bench measure both sides of that trade).
Thai names are found after the honorific คุณ when the word that follows is in PyThaiNLP's
given-name lists.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cxloop.text.tokens import lexicon

_HAN = r"[\u4e00-\u9fff\u3400-\u4dbf]"
_COMMON = 100  # jieba dictionary frequency from which a 2-3 character string is a word
# Characters that never start or make up a given name in practice (function words, units...).
# Characters after which a surname + title may follow another Han character (跟王先生說).
_CONTEXT = "跟和与與及找请請问問给給叫谢謝位的是络絡系繫向对對被让讓由把同位名讓"
_NOT_GIVEN = set(
    "的了是在和与與及或也都就还還很太被把给給让讓说說对對到从從这這那个個们們吗嗎呢吧啊谢謝请請问問跟找叫"
)


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    words = lexicon()
    single_raw: str = words["surnames_single"]
    single = set(single_raw) | set(s2t.convert(single_raw))
    double = {w for s in words["surnames_double"] for w in (s, s2t.convert(s))}
    return frozenset(single), frozenset(double)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    single, double = _surnames()
    surname = (
        "(?:" + "|".join(sorted(double, key=len, reverse=True)) + "|[" + "".join(single) + "])"
    )
    titles = "|".join(sorted(set(lexicon()["titles"]), key=len, reverse=True))
    intro = "|".join(sorted(set(lexicon()["introducers"]), key=len, reverse=True))
    # surname + 0-2 given characters + title; the name group excludes the title.
    titled = re.compile(
        rf"(?:(?<!{_HAN})|(?<=[{_CONTEXT}]))(?P<name>{surname}{_HAN}{{0,2}}?)(?={titles})"
    )
    # introducer + optional colon/space + surname + 1-2 given characters.
    introduced = re.compile(
        rf"(?:{intro})\s*[:：是为為]?\s*(?P<name>{surname}{_HAN}{{1,2}})(?!{_HAN}{{2}})"
    )
    # "我是王小明。": only when the name ends the clause.
    self_intro = re.compile(rf"我是(?P<name>{surname}{_HAN}{{1,2}})(?=[\s,.!?;，。！？；、]|$)")
    return titled, introduced, self_intro


@lru_cache(maxsize=1)
def _word_freq() -> dict[str, int]:
    from cxloop.text.tokens import jieba_frequencies

    return jieba_frequencies()


def _common_word(candidate: str) -> bool:
    """True when a candidate is an everyday word (时候, 可是, 方便) rather than a name."""
    from cxloop.text.tokens import to_simplified

    return _word_freq().get(to_simplified(candidate), 0) >= _COMMON


@lru_cache(maxsize=1)
def _thai_given_names() -> frozenset[str]:
    from pythainlp.corpus import (
        thai_female_names,
        thai_male_names,
    )

    return frozenset(n for n in (*thai_female_names(), *thai_male_names()) if len(n) >= 2)


_THAI_KHUN = re.compile(r"คุณ\s?(?P<name>[\u0e01-\u0e4e]{2,20})")


def find_chinese_names(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of Chinese person names signalled by a title or an introducer."""
    titled, introduced, self_intro = _patterns()
    spans: list[tuple[int, int]] = []
    for m in (*introduced.finditer(text), *self_intro.finditer(text)):
        name = m.group("name")
        start = m.start("name")
        # keep the given name from swallowing a following function word
        while len(name) > 2 and name[-1] in _NOT_GIVEN:
            name = name[:-1]
        if len(name) >= 2 and name[1] not in _NOT_GIVEN and not _common_word(name):
            spans.append((start, start + len(name)))
    single, double = _surnames()
    for m in titled.finditer(text):
        start, end = m.start("name"), m.end("name")
        # the longest candidate that starts with a surname and has a plausible given name
        for s in range(start, end):
            cand = text[s:end]
            given = cand[2:] if cand[:2] in double else cand[1:]
            if s > 0 and text[s - 1] == text[s]:  # 謝謝, 哥哥: a reduplicated word
                continue
            if (
                (cand[0] in single or cand[:2] in double)
                and not any(ch in _NOT_GIVEN or ch == cand[0] for ch in given)
                and (len(cand) == 1 or not _common_word(cand))
            ):
                spans.append((s, end))
                break
    return spans


def find_thai_names(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of Thai given names after คุณ found in PyThaiNLP's name lists."""
    if "คุณ" not in text:
        return []
    names = _thai_given_names()
    spans = []
    for m in _THAI_KHUN.finditer(text):
        run = m.group("name")
        # the longest known name that starts the run (Thai has no spaces between words)
        for size in range(min(len(run), 20), 1, -1):
            if run[:size] in names:
                start = m.start("name")
                spans.append((start, start + size))
                break
    return spans
