"""Contract: every UI text used by templates and pages exists, and is translated, in every language.

The templates and the web modules are scanned for message keys; keys built at render time
(``t("role." ~ r)``) are expanded from the value families below. Each catalog must hold exactly
the English key set, keep the English placeholders and really be in its own script
(zh-Hant in Traditional characters, zh-Hans in Simplified ones).
"""

from __future__ import annotations

import json
import re
import string
from functools import cache
from pathlib import Path

import opencc
import pytest

from cxloop.core.i18n import DEFAULT, LANGUAGES, negotiate, normalize_language

SRC = Path(__file__).resolve().parents[2] / "src" / "cxloop"
LOCALES = SRC / "core" / "locales"
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))
WEB_MODULES = sorted({*SRC.glob("**/web.py"), *SRC.glob("web/**/*.py")})

# Keys built at render time: prefix -> the values the suffix can take.
DYNAMIC: dict[str, tuple[str, ...]] = {
    "role.": ("admin", "analyst", "agent", "account_manager"),
    "channel.": ("phone", "chat", "email", "web", "app", "store", "social", "sms", "survey"),
    "entity.": ("customer", "holding", "order", "interaction", "consent", "preference"),
    "match.": ("name", "email", "phone", "extid", "detach"),
    "status.": ("auto", "pending", "approved", "rejected", "apart"),
    "rule.": ("most_trusted", "most_recent", "most_complete", "most_frequent"),
    "rule_help.": ("most_trusted", "most_recent", "most_complete", "most_frequent"),
    "job_status.": ("queued", "running", "done", "failed"),
    "attr.": (
        "full_name",
        "given_name",
        "family_name",
        "email",
        "phone",
        "address",
        "postcode",
        "country",
        "birth_date",
        "language",
        "tier",
        "segment",
    ),
    "consent_channel.": ("email", "sms", "phone", "post", "app", "web", "chat", "all"),
    "purpose.": ("marketing", "surveys", "service", "profiling", "all"),
    "error.title.": ("400", "401", "403", "404", "409", "413", "422", "429", "500"),
    "batch_status.": ("open", "done", "failed"),
    "ingest_channel.": ("file", "rest", "webhook", "demo", "resubmit"),
    "holding_status.": ("active", "pending", "suspended", "cancelled", "ended"),
    "source_kind.": ("crm", "billing", "support", "web", "app", "pos", "other"),
    "sampling.method.": ("shares", "proportional", "equal", "neyman"),
    "sentiment.": ("negative", "neutral", "positive", "mixed"),
    "review_reason.": ("different_contact", "different_name", "different_country"),
}
# Keys the web modules pass to templates as values (rendered there with ``t(error)``).
PYTHON_KEYS = {"login.failed", "login.locked", "login.expired"}
# ``t(<variable>)`` calls in templates whose keys come from Python.
VARIABLE_CALLS = {"error"}

KEY = r"[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+"
STATIC_CALL = re.compile(rf"""\bt\(\s*(["'])({KEY})\1\s*[,)]""")
DYNAMIC_CALL = re.compile(r"""\bt\(\s*(["'])((?:[A-Za-z0-9_\-]+\.)+)\1\s*~""")
ANY_CALL = re.compile(r"\bt\(")
VARIABLE_CALL = re.compile(r"\bt\(\s*([A-Za-z_]\w*)\s*\)")
TRANSLATE_CALL = re.compile(rf"""\btranslate\(\s*[^,()]+,\s*(["'])({KEY})\1""")
DOTTED_LITERAL = re.compile(rf"""(["'])({KEY})\1""")
FILE_SUFFIXES = (".html", ".json", ".csv", ".jsonl", ".txt", ".js", ".css", ".svg", ".py")

LANGS = list(LANGUAGES)
OTHER_LANGS = [lang for lang in LANGS if lang != DEFAULT]
CJK = re.compile(r"[\u3400-\u9fff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")


@cache
def load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def template_static_keys() -> set[str]:
    return {m.group(2) for p in TEMPLATES for m in STATIC_CALL.finditer(p.read_text("utf-8"))}


def template_dynamic_prefixes() -> set[str]:
    return {m.group(2) for p in TEMPLATES for m in DYNAMIC_CALL.finditer(p.read_text("utf-8"))}


def namespaces() -> set[str]:
    return {k.split(".", 1)[0] for k in template_static_keys()} | {
        p.split(".", 1)[0] for p in DYNAMIC
    }


def python_keys() -> set[str]:
    """Message keys in Python: ``translate(lang, "k")`` anywhere, and dotted string literals in
    the web modules whose first part is a message namespace (``login.failed``, not ``auth.locked``
    or ``home.html``)."""
    found: set[str] = set()
    for path in SRC.glob("**/*.py"):
        found |= {m.group(2) for m in TRANSLATE_CALL.finditer(path.read_text("utf-8"))}
    spaces = namespaces()
    for path in WEB_MODULES:
        for m in DOTTED_LITERAL.finditer(path.read_text("utf-8")):
            key = m.group(2)
            if key.split(".", 1)[0] in spaces and not key.endswith(FILE_SUFFIXES):
                found.add(key)
    return found


def used_keys() -> set[str]:
    dynamic = {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    return template_static_keys() | dynamic | python_keys()


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


# --- the scanners find what they should ----------------------------------------------------


def test_scanner_finds_template_and_python_keys() -> None:
    assert TEMPLATES, "no templates found"
    static = template_static_keys()
    assert {"nav.customers", "customers.search_placeholder", "login.title"} <= static
    assert python_keys() >= PYTHON_KEYS


def test_every_dynamic_key_family_in_templates_is_known() -> None:
    assert {"role.", "channel.", "error.title."} <= template_dynamic_prefixes()
    unknown = template_dynamic_prefixes() - set(DYNAMIC)
    assert not unknown, f"templates build keys from prefixes with no value family: {unknown}"


def test_every_template_call_is_understood() -> None:
    """A ``t(...)`` whose key the scanner cannot see would escape this contract."""
    odd: list[str] = []
    for path in TEMPLATES:
        text = path.read_text("utf-8")
        for m in ANY_CALL.finditer(text):
            at = m.start()
            if STATIC_CALL.match(text, at) or DYNAMIC_CALL.match(text, at):
                continue
            var = VARIABLE_CALL.match(text, at)
            if var and var.group(1) in VARIABLE_CALLS:
                continue
            odd.append(f"{path.relative_to(SRC)}: {text[at : at + 60]!r}")
    assert not odd, "unrecognised t() calls:\n" + "\n".join(odd)


def test_value_families_cover_the_code() -> None:
    from cxloop.core.permissions import ROLES
    from cxloop.profiles.ingest.fields import (
        CHANNELS,
        CONSENT_CHANNELS,
        CONSENT_PURPOSES,
        ENTITIES,
        HOLDING_STATUSES,
        SOURCE_KINDS,
    )
    from cxloop.profiles.resolution.guard import CODES
    from cxloop.profiles.survivorship import RULES

    assert set(ROLES) <= set(DYNAMIC["role."])
    assert set(CHANNELS) <= set(DYNAMIC["channel."])
    assert set(ENTITIES) <= set(DYNAMIC["entity."])
    assert set(CONSENT_CHANNELS) <= set(DYNAMIC["consent_channel."])
    assert set(CONSENT_PURPOSES) <= set(DYNAMIC["purpose."])
    assert set(RULES) <= set(DYNAMIC["rule."])
    assert set(RULES) <= set(DYNAMIC["rule_help."])
    assert set(HOLDING_STATUSES) <= set(DYNAMIC["holding_status."])
    assert set(SOURCE_KINDS) <= set(DYNAMIC["source_kind."])
    assert set(CODES) <= set(DYNAMIC["review_reason."])


# --- catalogs -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_file_is_sorted_utf8_json(lang: str) -> None:
    raw = (LOCALES / f"{lang}.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())
    expected = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    assert raw.rstrip("\n") == expected, f"{lang}.json: keys unsorted or not 2-space UTF-8"


@pytest.mark.parametrize("lang", LANGS)
def test_every_used_key_is_in_every_catalog(lang: str) -> None:
    missing = sorted(used_keys() - set(load(lang)))
    assert not missing, f"{lang}.json lacks {len(missing)} keys: {missing}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_catalog_has_the_english_key_set(lang: str) -> None:
    en, other = set(load(DEFAULT)), set(load(lang))
    assert not en - other, f"{lang}.json lacks {sorted(en - other)}"
    assert not other - en, f"{lang}.json has keys English lacks: {sorted(other - en)}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_placeholders_match_english(lang: str) -> None:
    en = load(DEFAULT)
    wrong = {
        key: (fields(en[key]), fields(text))
        for key, text in load(lang).items()
        if key in en and fields(text) != fields(en[key])
    }
    assert not wrong, f"{lang}.json placeholders differ from English: {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_are_well_formed(lang: str) -> None:
    for key, text in load(lang).items():
        params = dict.fromkeys(fields(text), "x")
        assert all(re.fullmatch(r"[a-z_]+", name) for name in params), (lang, key)
        text.format(**params)  # no stray braces


@pytest.mark.parametrize("lang", LANGS)
def test_no_value_is_empty(lang: str) -> None:
    empty = sorted(key for key, text in load(lang).items() if not text.strip())
    assert not empty, f"{lang}.json has empty texts: {empty}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_catalog_is_translated(lang: str) -> None:
    """Nearly every text differs from English and is written in the language's script."""
    en, cat = load(DEFAULT), load(lang)
    same = [key for key, text in cat.items() if text == en.get(key)]
    assert len(same) <= 0.05 * len(cat), f"{lang}.json: untranslated? {same}"
    script = THAI if lang == "th" else CJK
    foreign = [key for key, text in cat.items() if not script.search(text)]
    assert len(foreign) <= 0.05 * len(cat), f"{lang}.json: not in its script? {foreign}"


def test_traditional_and_simplified_chinese_differ() -> None:
    hant, hans = load("zh-Hant"), load("zh-Hans")
    differing = [key for key in hant if hant[key] != hans.get(key)]
    assert len(differing) >= 0.5 * len(hant)


def test_zh_hant_is_traditional() -> None:
    """Converting zh-Hant to Simplified changes most texts; if it were Simplified already,
    nothing would change."""
    t2s = opencc.OpenCC("t2s")
    hant = {key: text for key, text in load("zh-Hant").items() if CJK.search(text)}
    changed = [key for key, text in hant.items() if t2s.convert(text) != text]
    assert len(changed) >= 0.5 * len(hant), f"only {len(changed)} of {len(hant)} look Traditional"


def test_zh_hans_is_simplified() -> None:
    """Converting zh-Hans to Simplified changes nothing: no Traditional characters slipped in."""
    t2s = opencc.OpenCC("t2s")
    traditional = {
        key: (text, t2s.convert(text))
        for key, text in load("zh-Hans").items()
        if t2s.convert(text) != text
    }
    assert not traditional, f"zh-Hans.json has Traditional characters: {traditional}"


# --- language negotiation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh_tw", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("th-TH", "th"),
        ("th", "th"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("fr-FR", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language(tag: str | None, lang: str | None) -> None:
    assert normalize_language(tag) == lang


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("th-TH,th;q=0.9", "th"),
        ("fr;q=0.9, th;q=0.8", "th"),
        ("en;q=0.5, th;q=0.8", "th"),
        ("de-DE, fr;q=0.9", "en"),
        ("xx", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_negotiate_accept_language(accept: str | None, lang: str) -> None:
    assert negotiate(accept) == lang


def test_negotiate_explicit_preference_wins() -> None:
    assert negotiate("th-TH,th;q=0.9", "zh-TW") == "zh-Hant"
    assert negotiate("zh-TW", "en") == "en"
    assert negotiate("zh-TW", "zh-CN") == "zh-Hans"
    assert negotiate(None, "th") == "th"


def test_negotiate_ignores_unknown_preference() -> None:
    assert negotiate("th-TH", "fr") == "th"
    assert negotiate(None, "klingon") == "en"
