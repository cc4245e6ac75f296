"""End-to-end resolutions: a trained model over a synthetic background plus hand-made people."""

import json

import pandas as pd
import pytest

from cxloop.profiles.resolution import (
    Link,
    build_record,
    records_to_frame,
    resolve_full,
    resolve_incremental,
)
from cxloop.profiles.resolution.bulk import normalize_records
from cxloop.profiles.synth import generate_people, generate_records

BASE = 1_000_000  # record ids of the hand-made records


@pytest.fixture(scope="module")
def background() -> pd.DataFrame:
    people = generate_people(2_500, seed=11)
    return normalize_records(generate_records(people, seed=11)).to_pandas()


@pytest.fixture(scope="module")
def model(background: pd.DataFrame) -> dict:
    _, trained = resolve_full(background, unique_sources={"crm"})
    return json.loads(json.dumps(trained))  # what the service stores


def _people() -> list:
    addr = "台北市大安區復興南路一段100號5樓"
    return [
        # Chen Wei-Ting: three systems, one typo'd duplicate.
        build_record(
            BASE + 1,
            "crm",
            "C-1",
            name="陳威廷",
            emails=["weiting.chen@gmail.com"],
            phones=["0912-345-678", "(02) 2345-6789"],
            birth_date="1987-05-12",
            address=addr,
            postcode="106",
            country="TW",
        ),
        build_record(
            BASE + 2,
            "web",
            "W-1",
            name="Chen Wei-Ting",
            emails=["Weiting.Chen@Gmail.com"],
            phones=["+886 912 345 678"],
            birth_date="民國76年5月12日",
            country="TW",
        ),
        build_record(
            BASE + 3,
            "support",
            "S-1",
            name="陳威延",
            phones=["0912345678"],
            birth_date="1987/5/12",
            country="TW",
        ),
        # A namesake: same full name, another birth date, phone and email.
        build_record(
            BASE + 4,
            "crm",
            "C-2",
            name="陳威廷",
            emails=["wt.chen@yahoo.com.tw"],
            phones=["0933-222-111"],
            birth_date="1990-11-03",
            postcode="220",
            country="TW",
        ),
        build_record(
            BASE + 5, "pos", "P-1", name="陳威廷先生", phones=["0933222111"], country="TW"
        ),
        # His wife and daughter share the address and the landline.
        build_record(
            BASE + 6,
            "crm",
            "C-3",
            name="林美玲",
            phones=["(02) 2345-6789", "0955-111-222"],
            birth_date="1988-02-20",
            address=addr,
            postcode="106",
            country="TW",
        ),
        build_record(
            BASE + 7,
            "billing",
            "B-1",
            name="陳怡君",
            phones=["(02) 2345-6789"],
            birth_date="2012-07-01",
            address=addr,
            postcode="106",
            country="TW",
        ),
    ]


def _cluster_of(result, rid):
    return result.clusters[rid]


def test_resolution_links_and_keeps_apart(background, model):
    frame = pd.concat([background, records_to_frame(_people())], ignore_index=True)
    result, _ = resolve_full(frame, model=model, unique_sources={"crm"})
    c = result.clusters
    # one person across crm, web and a typo'd support record
    assert c[BASE + 1] == c[BASE + 2] == c[BASE + 3]
    # namesake kept apart, but joined to his own POS record
    assert c[BASE + 4] != c[BASE + 1]
    assert c[BASE + 5] == c[BASE + 4]
    # household members kept apart from him and from each other
    assert len({c[BASE + 1], c[BASE + 6], c[BASE + 7]}) == 3
    assert result.stats["largest_cluster"] <= 30


def test_links_explain_themselves(background, model):
    frame = pd.concat([background, records_to_frame(_people())], ignore_index=True)
    result, _ = resolve_full(frame, model=model)
    link = next(lk for lk in result.links if {lk.record_a, lk.record_b} == {BASE + 1, BASE + 3})
    assert isinstance(link, Link)
    assert link.probability >= 0.95
    exp = link.comparison
    assert {"name", "birth_date", "phone", "email", "location", "gender"} <= set(exp)
    assert exp["phone"]["level"] == "personal phone in common"
    assert exp["phone"]["bayes_factor"] > 1000
    assert exp["name"]["level"].startswith("surname equal, given name with a typo")
    assert exp["email"]["level"] == "null"
    json.dumps(exp)  # JSON-serialisable for the admin page
    household = [lk for lk in result.links if {lk.record_a, lk.record_b} == {BASE + 1, BASE + 6}]
    assert not household or household[0].probability < 0.5
    for lk in result.review:  # between the thresholds, or held by the contradiction guard
        assert 0.5 <= lk.probability < 0.95 or "review_reason" in lk.comparison


def test_exact_keys_are_labelled(background, model):
    people = _people()
    people.append(
        build_record(
            BASE + 8, "billing", "B-2", name="CHEN, WEI-TING", country="TW", refs=["crm:C-1"]
        )
    )
    frame = pd.concat([background, records_to_frame(people)], ignore_index=True)
    result, _ = resolve_full(frame, model=model)
    methods = {(lk.record_a, lk.record_b): lk.method for lk in result.links}
    assert methods[(BASE + 1, BASE + 8)] == "exact:external_id"
    assert result.clusters[BASE + 8] == result.clusters[BASE + 1]


def test_cannot_link_is_honoured(background, model):
    frame = pd.concat([background, records_to_frame(_people())], ignore_index=True)
    result, _ = resolve_full(frame, model=model, cannot_link={(BASE + 3, BASE + 1)})
    c = result.clusters
    assert c[BASE + 3] != c[BASE + 1]
    assert c[BASE + 1] == c[BASE + 2]


def test_incremental_joins_the_right_existing_cluster(background, model):
    existing = pd.concat([background, records_to_frame(_people())], ignore_index=True)
    full, _ = resolve_full(existing, model=model)
    new = [
        build_record(
            BASE + 20,
            "web",
            "W-9",
            name="Wei-Ting Chen",
            emails=["weiting.chen@gmail.com"],
            email_verified=True,
            phones=["+886-912-345678"],
            country="TW",
        ),
        build_record(
            BASE + 21, "pos", "P-9", name="Someone Else", phones=["0987-654-321"], country="TW"
        ),
    ]
    result = resolve_incremental(new, existing, model=model, existing_clusters=full.clusters)
    assert result.clusters[BASE + 20] == full.clusters[BASE + 1]
    assert result.clusters[BASE + 21] == BASE + 21
    assert any({lk.record_a, lk.record_b} == {BASE + 1, BASE + 20} for lk in result.links)


def test_incremental_honours_cannot_link(background, model):
    existing = pd.concat([background, records_to_frame(_people())], ignore_index=True)
    full, _ = resolve_full(existing, model=model)
    new = [
        build_record(
            BASE + 30,
            "web",
            "W-10",
            name="Chen Wei-Ting",
            phones=["0912-345-678"],
            birth_date="1987-05-12",
            country="TW",
        )
    ]
    pairs = {(BASE + 30, m) for m, c in full.clusters.items() if c == full.clusters[BASE + 1]}
    result = resolve_incremental(
        new, existing, model=model, existing_clusters=full.clusters, cannot_link=pairs
    )
    assert result.clusters[BASE + 30] != full.clusters[BASE + 1]


def test_model_is_json_and_reusable(model):
    assert model["splink"]["comparisons"]
    assert 0 < model["matches_per_record"] < 5
    assert isinstance(model["name_tf"], dict)


def test_blocking_survives_swapped_and_misspelt_names():
    """FEBRL-style errors: swapped given/family names, one-letter typos, split surnames."""
    from cxloop.profiles.resolution.engine import connect
    from cxloop.profiles.resolution.features import build_features, candidate_pairs, register_input

    recs = [
        build_record(
            1, "a", "1", given_name="samara", family_name="willing", birth_date="1960-08-28"
        ),
        build_record(
            2, "a", "2", given_name="willing", family_name="samara", birth_date="1960-08-28"
        ),
        build_record(3, "a", "3", name="Xamara Wiling", birth_date="1960-08-28"),
        build_record(4, "a", "4", name="Samra Willing", birth_date="1960-08-28"),
        build_record(
            5, "a", "5", given_name="sam", family_name="will ing", birth_date="1971-01-01"
        ),
    ]
    con = connect()
    register_input(con, "rr", recs)
    build_features(con, "rr", "feat")
    candidate_pairs(con, "feat", "pairs")
    keys = {(lt, r): k for lt, r, k in con.execute("SELECT * FROM pairs").fetchall()}
    # swapped: the birth date + a name part (or the initials in any order) still agree
    assert keys[(1, 2)] in ("dob_initials", "dob_name")
    assert keys[(1, 3)] == "dob_name_typo"  # a typo in each part, one in a first letter
    assert (1, 4) in keys and (2, 4) in keys
    assert recs[4].family == "willing"  # a surname split by a typo stays whole
    con.close()
