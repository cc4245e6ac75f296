"""Search keys: what a profile is findable by, and how a typed query is turned into keys.

Names are indexed as the suffixes of their space-free comparison keys (every character for Chinese
and Thai, every word start for Latin script), so a prefix lookup on an ordinary B-tree index finds
partial names in any script; phones are indexed as E.164 digits and as the national number, so
a number typed in any local or international format finds the same customer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import phonenumbers

from cxloop.profiles.resolution.normalize import normalize_email, normalize_name

_NON_PHONE = re.compile(r"[^\d+]")
_PHONE_LIKE = re.compile(r"^[\d\s()+\-./#*]+$")
MAX_TERM = 120


def _name_suffixes(key: str) -> set[str]:
    tokens = key.split()
    joined = "".join(tokens)
    if not joined:
        return set()
    out: set[str] = set()
    if joined.isascii():
        pos = 0
        for tok in tokens:
            out.add(joined[pos:])
            pos += len(tok)
    else:
        for i in range(len(joined)):
            out.add(joined[i:])
    return {s[:MAX_TERM] for s in out if s}


def name_terms(full_name: str, name_key: str, name_latin: str) -> set[str]:
    """Search terms of a name: suffixes of its comparison and romanised keys."""
    terms: set[str] = set()
    for key in (name_key, name_latin, normalize_name(full_name).key if full_name else ""):
        terms |= _name_suffixes(key.casefold())
    return terms


def phone_terms(e164: str) -> set[str]:
    """Search terms of an E.164 number: all its digits, and its national significant number."""
    digits = e164.lstrip("+")
    out = {digits}
    try:
        nsn = phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
        out.add(nsn)
    except phonenumbers.NumberParseException:
        pass
    return out


def email_terms(email: str) -> set[str]:
    """Search terms of an email: the address (prefix-searchable)."""
    return {email.casefold()[:MAX_TERM]}


def record_terms(
    full_name: str,
    name_key: str,
    name_latin: str,
    emails: Iterable[str],
    phones: Iterable[str],
    external_ids: Iterable[str],
    refs: Iterable[str] = (),
    self_ref: str = "",
) -> set[tuple[str, str]]:
    """Every (kind, term) a profile's record makes it findable by (refs: "source:id" it names)."""
    terms: set[tuple[str, str]] = {("name", t) for t in name_terms(full_name, name_key, name_latin)}
    for email in emails:
        terms |= {("email", t) for t in email_terms(email)}
    for phone in phones:
        terms |= {("phone", t) for t in phone_terms(phone)}
    for ext in external_ids:
        terms.add(("extid", unicodedata.normalize("NFKC", ext).casefold()[:MAX_TERM]))
    for ref in refs:
        terms.add(("ref", ref.casefold()[:MAX_TERM]))
    if self_ref:  # "source:id", so that records naming this one can find it
        terms.add(("self", self_ref.casefold()[:MAX_TERM]))
    return terms


def looks_like_phone(query: str) -> bool:
    """Whether a query is a phone number in some format."""
    q = unicodedata.normalize("NFKC", query).strip()
    digits = sum(c.isdigit() for c in q)
    return bool(_PHONE_LIKE.match(q)) and digits >= 6


def phone_query_terms(query: str, regions: Iterable[str]) -> set[str]:
    """Exact phone terms a typed number may match, trying the given regions for local formats."""
    q = unicodedata.normalize("NFKC", query).strip()
    digits = "".join(c for c in q if c.isdigit())
    out = {digits, digits.lstrip("0")}
    for region in regions:
        try:
            num = phonenumbers.parse(q, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(num):
            out.add(f"{num.country_code}{phonenumbers.national_significant_number(num)}")
            out.add(phonenumbers.national_significant_number(num))
    return {t for t in out if len(t) >= 6}


def name_query_terms(query: str) -> set[str]:
    """Prefixes a typed name may start a search term with (comparison and romanised keys)."""
    keys = normalize_name(query)
    out = set()
    for key in (keys.key, keys.latin):
        joined = "".join(key.casefold().split())
        if joined:
            out.add(joined[:MAX_TERM])
    raw = "".join(unicodedata.normalize("NFKC", query).casefold().split())
    if raw:
        out.add(raw[:MAX_TERM])
    return out


def email_query(query: str) -> str | None:
    """The normalised email prefix of a query containing ``@``, else None."""
    if "@" not in query:
        return None
    return (normalize_email(query) or query.strip()).casefold()[:MAX_TERM]
