"""The contradiction guard: the rule shared by incremental and full resolutions."""

from __future__ import annotations

from cxloop.profiles.resolution.guard import (
    CONTACT,
    COUNTRY,
    NAME,
    Keys,
    contradiction,
    group_keys,
    record_keys,
)


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
