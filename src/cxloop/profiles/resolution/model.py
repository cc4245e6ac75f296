"""The Splink model: comparisons (with negative evidence), EM training and serialisation."""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODEL_VERSION = 1

_FAMILY_MATCH = (
    "(family_l <> '' AND (family_l = family_r OR (family_alt_l <> '' AND family_alt_l = family_r)"
    " OR (family_alt_r <> '' AND family_l = family_alt_r)))"
)
# Given names written in systems that cannot be compared letter by letter.
_CROSS_SYSTEM = (
    "(name_system_l <> name_system_r AND (name_system_l || '-' || name_system_r IN "
    "('han-yue', 'yue-han') OR name_system_l = 'eng' OR name_system_r = 'eng'))"
)
# Words two addresses have in common (split, joined or misspelt words leave the rest equal).
_SHARED_WORDS = "list_intersect(string_split(address_l, ' '), string_split(address_r, ' '))"
_THAI_SCRIPTS = "(name_system_l || '-' || name_system_r IN ('th-thl', 'thl-th'))"


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _name() -> cl.CustomComparison:
    """Full name: exact (term-frequency adjusted), typo, alias, surname only, conflicts."""
    given_conflict = "(given_l <> '' AND given_r <> '' AND NOT " + _CROSS_SYSTEM + ")"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            _level("name_latin_l = '' OR name_latin_r = ''", "null", is_null_level=True),
            _level(
                "name_latin_l = name_latin_r",
                "exact name (term-frequency adjusted)",
                tf_adjustment_column="name_latin",
                tf_adjustment_weight=1.0,
            ),
            _level(
                f"{_FAMILY_MATCH} AND given_l <> '' AND given_r <> '' AND "
                "(jaro_winkler_similarity(given_l, given_r) >= 0.88 OR (name_system_l = 'han' "
                "AND name_system_r = 'han' AND length(name_key_l) >= 3 "
                "AND length(name_key_l) = length(name_key_r) "
                "AND levenshtein(name_key_l, name_key_r) = 1))",
                "surname equal, given name with a typo",
            ),
            _level(
                f"{_FAMILY_MATCH} AND ((given_alt_l <> '' "
                "AND given_alt_l IN (given_r, given_alt_r))"
                " OR (given_alt_r <> '' AND given_alt_r = given_l))",
                "surname equal, nickname or English given name",
            ),
            _level(
                f"{_FAMILY_MATCH} AND (given_l = '' OR given_r = '' OR {_CROSS_SYSTEM})",
                "surname equal, given name unknown or in another romanisation",
            ),
            _level(
                f"{_FAMILY_MATCH} AND (length(given_l) = 1 OR length(given_r) = 1) "
                "AND left(given_l, 1) = left(given_r, 1)",
                "surname equal, given initial agrees",
            ),
            _level(
                f"{_THAI_SCRIPTS} AND jaro_winkler_similarity(family_l, family_r) >= 0.8 "
                "AND jaro_winkler_similarity(given_l, given_r) >= 0.7",
                "Thai script vs Latin spelling, close",
            ),
            _level(
                "given_l <> '' AND given_l = given_r AND family_l <> '' AND family_r <> '' "
                "AND jaro_winkler_similarity(family_l, family_r) >= 0.85",
                "given equal, surname with a typo",
            ),
            _level(
                "given_l <> '' AND family_l <> '' AND given_r <> '' AND family_r <> '' "
                "AND family_l <> family_r AND given_l <> given_r "
                "AND jaro_winkler_similarity(given_l, given_r) >= 0.88 "
                "AND jaro_winkler_similarity(family_l, family_r) >= 0.88",
                "surname and given name each with a typo",
            ),
            _level(
                "given_l <> '' AND family_l <> '' AND given_r <> '' AND family_r <> '' "
                "AND jaro_winkler_similarity(given_l, family_r) >= 0.88 "
                "AND jaro_winkler_similarity(family_l, given_r) >= 0.88",
                "family and given names swapped",
            ),
            _level(
                "(given_l = '' AND family_l <> '' AND given_r <> '' "
                "AND greatest(jaro_winkler_similarity(family_l, family_r), "
                "jaro_winkler_similarity(family_l, given_r)) >= 0.88) OR "
                "(given_r = '' AND family_r <> '' AND given_l <> '' "
                "AND greatest(jaro_winkler_similarity(family_r, family_l), "
                "jaro_winkler_similarity(family_r, given_l)) >= 0.88)",
                "one name part only, close to either part of the other",
            ),
            _level(
                f"{_FAMILY_MATCH} AND {given_conflict}",
                "surname equal, given name different (household member?)",
            ),
            _level(
                "given_l <> '' AND (given_l = given_r "
                "OR (given_alt_l <> '' AND given_alt_l = given_r) "
                "OR (given_alt_r <> '' AND given_alt_r = given_l)) "
                "AND (family_l = '' OR family_r = '')",
                "given equal, surname unknown",
            ),
            _level("given_l <> '' AND given_l = given_r", "given equal, surname different"),
            _level("ELSE", "different names"),
        ],
    )


def _dob() -> cl.CustomComparison:
    """Birth date: exact, one typo (digit, day/month swap, year off by one), different."""
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            _level("birth_date_l IS NULL OR birth_date_r IS NULL", "null", is_null_level=True),
            _level("birth_date_l = birth_date_r", "exact"),
            _level(
                "levenshtein(dob_s_l, dob_s_r) <= 1 OR "
                "(year(birth_date_l) = year(birth_date_r) "
                "AND month(birth_date_l) = day(birth_date_r)"
                " AND day(birth_date_l) = month(birth_date_r)) OR "
                "(abs(year(birth_date_l) - year(birth_date_r)) = 1 AND month(birth_date_l) = "
                "month(birth_date_r) AND day(birth_date_l) = day(birth_date_r)) OR "
                "abs(date_diff('day', birth_date_l, birth_date_r)) = 1",
                "one typo",
            ),
            _level("ELSE", "different"),
        ],
    )


def _email() -> cl.CustomComparison:
    """Email: a personal address in common, a shared (family) one, a typo, different."""
    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            _level("email1_l IS NULL OR email1_r IS NULL", "null", is_null_level=True),
            _level("list_has_any(p_emails_l, p_emails_r)", "personal email in common"),
            _level("list_has_any(emails_l, emails_r)", "shared email in common"),
            _level(
                "list_has_any(email_locals_l, email_locals_r) OR "
                "jaro_winkler_similarity(email1_l, email1_r) >= 0.95",
                "same local part or a typo",
            ),
            _level("ELSE", "different"),
        ],
    )


def _phone() -> cl.CustomComparison:
    """Personal (mobile) phone: in common, a one-digit typo, different."""
    return cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            _level("phone1_l IS NULL OR phone1_r IS NULL", "null", is_null_level=True),
            _level("list_has_any(p_phones_l, p_phones_r)", "personal phone in common"),
            _level("levenshtein(phone1_l, phone1_r) <= 1", "one digit different"),
            _level("ELSE", "different"),
        ],
    )


def _location() -> cl.CustomComparison:
    """Address, postcode and household landline judged together (they move together)."""
    return cl.CustomComparison(
        output_column_name="location",
        comparison_levels=[
            _level(
                "(address_l IS NULL OR address_r IS NULL) "
                "AND (postcode_l IS NULL OR postcode_r IS NULL)"
                " AND NOT list_has_any(s_phones_l, s_phones_r)",
                "null",
                is_null_level=True,
            ),
            _level("address_l = address_r", "same address"),
            _level("jaro_winkler_similarity(address_l, address_r) >= 0.93", "similar address"),
            _level(
                f"len({_SHARED_WORDS}) >= 2 AND len({_SHARED_WORDS}) >= 0.6 * least("
                "len(list_distinct(string_split(address_l, ' '))), "
                "len(list_distinct(string_split(address_r, ' '))))",
                "address words mostly shared",
            ),
            _level("list_has_any(s_phones_l, s_phones_r)", "same landline"),
            _level("postcode_l = postcode_r", "same postcode only"),
            _level(
                "length(postcode_l) = length(postcode_r) AND damerau_levenshtein(postcode_l, "
                "postcode_r) = 1",
                "postcode one typo apart",
            ),
            _level("ELSE", "different"),
        ],
    )


def _gender() -> cl.CustomComparison:
    """Gender implied by an honorific (先生/小姐, นาย/นาง, Mr/Ms)."""
    return cl.CustomComparison(
        output_column_name="gender",
        comparison_levels=[
            _level("gender_l = '' OR gender_r = ''", "null", is_null_level=True),
            _level("gender_l = gender_r", "same"),
            _level("ELSE", "different"),
        ],
    )


COMPARISON_NAMES = ("name", "birth_date", "email", "phone", "location", "gender")


def settings(prior: float = 1e-6) -> SettingsCreator:
    """Splink settings of the engine (dedupe, unique_id = record_id)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        comparisons=[_name(), _dob(), _email(), _phone(), _location(), _gender()],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
        max_iterations=12,
        em_convergence=0.001,
    )


EM_TRAINING_RULES = (
    block_on("birth_date"),
    block_on("phone1"),
    block_on("email1"),
    block_on("name_latin"),
)


def model_dict(
    splink_settings: dict[str, Any],
    *,
    rate: float,
    con: Any,
    entities: int,
    n: int,
    unique_sources: list[str],
    top_names: int = 20_000,
) -> dict[str, Any]:
    """The trained model as a JSON-serialisable dict (Splink settings + engine extras)."""
    rows = con.execute(
        f"SELECT name_latin, tf_name_latin FROM name_tf ORDER BY 2 DESC LIMIT {top_names}"  # noqa: S608
    ).fetchall()
    return {
        "version": MODEL_VERSION,
        "splink": splink_settings,
        "matches_per_record": rate,
        "population": n,
        "entities": entities,
        "name_tf": {str(k): float(v) for k, v in rows},
        "unique_sources": unique_sources,
    }
