from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxloop.text import WindowCounts, detect_emerging
from cxloop.text.trends import benjamini_hochberg, binom_sf, two_proportion_p


@given(st.integers(0, 60), st.integers(1, 60), st.floats(0.01, 0.99))
def test_binom_sf_matches_scipy(k: int, n: int, p: float) -> None:
    assert abs(binom_sf(k, n, p) - stats.binom.sf(k - 1, n, p)) < 1e-9


def test_two_proportion_and_bh() -> None:
    assert two_proportion_p(30, 100, 10, 100) < 0.001
    assert two_proportion_p(10, 100, 10, 100) > 0.4
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert [round(v, 4) for v in q] == [0.04, 0.0533, 0.0533, 0.5]


def test_volume_spike_and_new_theme_are_events() -> None:
    baseline = {f"t{i}": WindowCounts(50, 10) for i in range(20)}
    current = {f"t{i}": WindowCounts(52, 11) for i in range(20)}
    current["t3"] = WindowCounts(140, 30)  # volume x2.8
    current["t7"] = WindowCounts(50, 35)  # negative share 20% -> 70%
    current["outage"] = WindowCounts(25, 20)  # never seen before
    events = detect_emerging(baseline, current, baseline_total=5000, current_total=5000)
    kinds = {(e.theme_id, e.kind) for e in events}
    assert kinds == {("t3", "volume"), ("t7", "negative_share"), ("outage", "new")}
    assert all(e.q_value <= 0.05 for e in events)


def test_noise_is_not_an_event() -> None:
    baseline = {f"t{i}": WindowCounts(40 + i, 8) for i in range(30)}
    current = {f"t{i}": WindowCounts(44 + i, 9) for i in range(30)}
    assert detect_emerging(baseline, current, baseline_total=4000, current_total=4100) == []
