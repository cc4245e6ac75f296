import pandas as pd
import pytest

from cxloop.profiles.resolution.normalize import normalize_email, normalize_phone, parse_birth_date
from cxloop.profiles.synth import (
    DEMO_PEOPLE,
    SOURCES,
    demo_world,
    generate_people,
    generate_population,
    generate_records,
)


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo_world()


def test_same_seed_same_world():
    p1, r1 = generate_population(6_000, seed=3)
    p2, r2 = generate_population(6_000, seed=3)
    pd.testing.assert_frame_equal(p1, p2)
    pd.testing.assert_frame_equal(r1, r2)


def test_other_seed_other_world():
    _, r1 = generate_population(6_000, seed=3)
    _, r2 = generate_population(6_000, seed=4)
    assert not r1["name"].equals(r2["name"])


def test_demo_world_shape(world):
    people, records = world
    assert len(people) == DEMO_PEOPLE
    assert set(records["source"].astype(str)) == set(SOURCES)
    assert records["record_id"].is_unique
    assert set(records["person_id"]) <= set(people["person_id"])
    assert set(people["country"]) == {"TW", "HK", "CN", "TH", "US"}
    per_person = records.groupby("person_id").size()
    assert per_person.min() >= 1
    assert per_person.max() >= 3


def test_phones_are_valid_for_phonenumbers(world):
    _, records = world
    sample = records[records["phone"] != ""].sample(1500, random_state=1)
    bad = [
        (p, c)
        for p, c in zip(sample["phone"], sample["country"], strict=True)
        if normalize_phone(p, c) is None
    ]
    assert not bad
    # local formats really occur
    assert sample["phone"].str.match(r"^0\d").any()
    assert sample["phone"].str.startswith("+").any()


def test_dates_and_emails_parse(world):
    people, records = world
    rows = records[records["birth_date"] != ""].sample(1000, random_state=2)
    truth = people.set_index("person_id")["birth_date"]
    parsed = [
        parse_birth_date(d, day_first=c != "US")
        for d, c in zip(rows["birth_date"], rows["country"], strict=True)
    ]
    assert all(p is not None for p in parsed)
    exact = sum(
        pd.Timestamp(p) == truth[pid] for p, pid in zip(parsed, rows["person_id"], strict=True)
    )
    assert exact / len(rows) > 0.95  # the rest are deliberate typos
    assert records["birth_date"].str.contains("民國").any()
    assert records["birth_date"].str.contains(r"/25\d\d$").any()  # Buddhist Era
    emails = records[records["email"] != ""]["email"]
    assert all(normalize_email(e) for e in emails.head(500))
    assert (emails.str.lower() != emails).any()  # case differences


def test_hardness_is_present(world):
    people, records = world
    # households share an address
    hh = people[people.groupby("household_id")["person_id"].transform("size") > 1]
    same = hh.groupby("household_id")["address"].nunique()
    assert (same == 1).mean() > 0.5
    # namesakes: different people with the same native full name
    full = people["family_native"] + people["given_native"]
    assert (full.value_counts() > 1).any()
    # scripts and romanisations
    names = records["name"]
    assert names.str.contains("[\u4e00-\u9fff]").any()
    assert names.str.contains("[\u0e00-\u0e7f]").any()
    assert names.str.contains(r"^[A-Z][a-z]+ [A-Z][a-z]+-[A-Z][a-z]+$").any()  # Chen Wei-Ting
    assert names.str.contains("先生|小姐|นาย|Mr").any()
    # movers and stale records
    assert (people["old_address"] != "").any()
    assert (people["old_mobile"] != "").any()


def test_people_feed_records_independently():
    people = generate_people(1_000, seed=9)
    records = generate_records(people, seed=9)
    assert len(records) > len(people)
    assert records["person_id"].isin(people["person_id"]).all()
