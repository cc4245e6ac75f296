"""The contradiction guard: the shared rule, and a full resolution that applies it per merge."""

from __future__ import annotations

from cxloop.profiles.resolution import ResolutionRecord, build_record, resolve_full
from cxloop.profiles.resolution.default_model import default_model
from cxloop.profiles.resolution.guard import (
    CONTACT,
    COUNTRY,
    NAME,
    Keys,
    contradiction,
    group_keys,
    record_keys,
)


def _world(*extra: ResolutionRecord) -> list[ResolutionRecord]:
    """Two customers with duplicates across systems (the story customer among them)."""
    return [
        build_record(1, "crm", "C1", name="陳威廷", emails=["weiting@example.tw"],
                     phones=["0912-345-678"], birth_date="1985-04-02", country="TW",
                     address="台北市信義區松仁路100號"),
        build_record(2, "billing", "B1", name="CHEN, WEI-TING", phones=["+886 912 345 678"],
                     emails=["WeiTing@Example.tw"], birth_date="1985-04-02", country="TW"),
        build_record(3, "support", "S1", name="陳威廷", phones=["912345678"], country="TW"),
        build_record(4, "crm", "C2", name="Michael Turner",
                     phones=["(217) 555-0134", "(217) 555-0188"],
                     emails=["michael.turner@example.com"], birth_date="1974-05-12", country="US",
                     address="1480 Maple Ave, Springfield, IL", postcode="62704"),
        build_record(5, "billing", "B2", name="TURNER, MICHAEL J", phones=["+1 217 555 0134"],
                     birth_date="05/12/1974", country="US",
                     address="1480 Maple Ave, Springfield, IL", postcode="62704"),
        build_record(6, "support", "S2", name="Mike Turner",
                     emails=["Michael.Turner@Example.com"], country="US"),
        *extra,
    ]  # fmt: skip


NAMESAKE = build_record(7, "web", "W1", name="Mike Turner", emails=["mturner.sea@example.net"],
                        phones=["+1 206 555 0199"], country="US")  # fmt: skip
SHARED_MOBILE = build_record(8, "web", "W2", name="黃淑芬", phones=["0912-345-678"],
                             emails=["sufen@example.tw"], country="TW")  # fmt: skip


def test_a_full_run_keeps_a_namesake_and_a_name_on_a_shared_mobile_apart_for_review() -> None:
    result, _ = resolve_full(_world(NAMESAKE, SHARED_MOBILE), model=default_model())
    c = result.clusters
    assert c[1] == c[2] == c[3] and c[4] == c[5] == c[6]  # the duplicates still merge
    assert c[7] == 7 and c[8] == 8
    held = {
        (lk.record_a, lk.record_b): lk.comparison["review_reason"]
        for lk in result.links
        if "review_reason" in lk.comparison
    }
    assert {b for _a, b in held} == {7, 8}
    assert all(lk.probability >= 0.95 for lk in result.links if "review_reason" in lk.comparison)
    contact = [r for (_a, b), r in held.items() if b == 7]
    assert contact == [{"code": CONTACT, "params": {}}]
    assert {r["code"] for (_a, b), r in held.items() if b == 8} == {NAME}
    assert {(lk.record_a, lk.record_b) for lk in result.review} >= set(held)
    assert result.stats["held_for_review"] == len(held)


def test_an_exact_link_is_never_held() -> None:
    """A record naming the customer's record as itself joins even under another name."""
    spouse = build_record(9, "billing", "B9", name="黃淑芬", phones=["0912-345-678"],
                          emails=["sufen@example.tw"], country="TW", refs=["crm:C1"])  # fmt: skip
    result, _ = resolve_full(_world(spouse), model=default_model())
    assert result.clusters[9] == result.clusters[1]
    assert not any("review_reason" in lk.comparison for lk in result.links)


def test_components_the_guard_cannot_touch_stand_as_they_are() -> None:
    result, _ = resolve_full(_world(), model=default_model())
    assert result.stats["held_for_review"] == 0
    assert result.stats["components_guarded"] == 0  # every merge there shares a name part


def _keys(**kw: object) -> Keys:
    return record_keys(**kw)  # type: ignore[arg-type]


def test_the_rule_needs_evidence_on_both_sides() -> None:
    a = _keys(emails=["a@x.com"], phones=["+1"], country="US", name_key="mike turner",
              name_parts=["turner", "mike"])  # fmt: skip
    assert contradiction(a, _keys()) is None
    assert contradiction(a, _keys(emails=["b@x.com"])) is None  # phones on one side only
    other = _keys(emails=["b@x.com"], phones=["+2"])
    assert contradiction(a, other) == contradiction(other, a)
    assert contradiction(a, other) is not None and contradiction(a, other).code == CONTACT  # type: ignore[union-attr]
    assert contradiction(a, _keys(emails=["b@x.com"], phones=["+1"])) is None  # a phone shared


def test_names_are_compared_within_a_script_and_from_both_sides() -> None:
    chen = _keys(name_key="陈威廷", name_parts=["chen", "weiting"])
    huang = _keys(name_key="黄淑芬", name_parts=["huang", "shufen"])
    latin = _keys(name_key="huang shufen", name_parts=["huang", "shufen"])
    reason = contradiction(chen, huang)
    assert reason is not None and reason.code == NAME and reason.params == {"script": "han"}
    assert contradiction(chen, latin) is None  # another script: not compared here
    typo = _keys(name_key="陈伟廷", name_parts=["chen", "weiting"])
    assert contradiction(chen, typo) is None
    # one odd record (a spouse's name on a bill) does not refuse a record matching the others
    customer = group_keys([chen, huang])
    assert contradiction(customer, _keys(name_key="陈威廷", name_parts=["chen", "weiting"])) is None


def test_another_country_contradicts_only_without_strong_evidence() -> None:
    tw = _keys(country="TW", name_key="chen weiting", name_parts=["chen", "weiting"])
    us = _keys(country="US", name_key="chen weiting", name_parts=["chen", "weiting"])
    reason = contradiction(tw, us)
    assert reason is not None and reason.code == COUNTRY
    assert reason.params == {"countries": ["TW", "US"]}
    same_day = _keys(country="US", birth_date="1985-04-02", name_key="chen weiting")
    assert contradiction(group_keys([tw, _keys(birth_date="1985-04-02")]), same_day) is None


def test_another_name_with_an_email_or_birth_date_in_common_is_no_stranger() -> None:
    full = _keys(emails=["wichai02868@gmail.com"], phones=["+66822453820"],
                 birth_date="2002-06-15", name_key="wichai saengruang",
                 name_parts=["sangruang", "wicai"])  # fmt: skip
    nickname = _keys(emails=["wichai02868@gmail.com"], phones=["+66822453820"],
                     birth_date="2002-06-15", name_key="ton", name_parts=["ton"])  # fmt: skip
    assert contradiction(full, nickname) is None
    same_day = _keys(phones=["+66822453820"], birth_date="2002-06-15", name_key="ton",
                     name_parts=["ton"])  # fmt: skip
    assert contradiction(full, same_day) is None
    phone_only = _keys(phones=["+66822453820"], name_key="ton", name_parts=["ton"])
    reason = contradiction(full, phone_only)
    assert reason is not None and reason.code == NAME


def test_a_full_run_joins_a_nickname_record_with_the_same_email_phone_and_birth_date() -> None:
    nickname = [
        build_record(10, "crm", "C10", name="วิชัย แสงรุ่ง", emails=["wichai02868@gmail.com"],
                     phones=["082-245-3820"], birth_date="2002-06-15", country="TH"),
        build_record(11, "web", "W10", name="Wichai Saengruang",
                     emails=["wichai02868@gmail.com"], phones=["+66 82 245 3820"],
                     birth_date="15/06/2002", country="TH"),
        build_record(12, "web", "W11", name="Ton", emails=["wichai02868@gmail.com"],
                     phones=["0822453820"], birth_date="2002-06-15", country="TH"),
    ]  # fmt: skip
    result, _ = resolve_full(_world(*nickname), model=default_model())
    assert result.clusters[10] == result.clusters[11] == result.clusters[12]
    assert not any("review_reason" in lk.comparison for lk in result.links)
