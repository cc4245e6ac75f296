"""Clustering that does not chain: components, then a constrained greedy merge where needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxloop.profiles.resolution.guard import Keys, Reason, contradiction


def connected_components(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label (smallest node index) of each node, by label propagation."""
    label = np.arange(n_nodes, dtype=np.int64)
    if len(a) == 0:
        return label
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        while True:  # pointer jumping
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def dates_conflict(d1: np.datetime64 | None, d2: np.datetime64 | None) -> bool:
    """Two birth dates conflict unless equal or one typo apart (digit, swap, ±1 day/year)."""
    if d1 is None or d2 is None or d1 == d2:
        return False
    a = str(d1)[:10]
    b = str(d2)[:10]
    diff = sum(x != y for x, y in zip(a, b, strict=True))
    if diff <= 1:
        return False
    ya, ma, da = a.split("-")
    yb, mb, db = b.split("-")
    if ya == yb and ma == db and da == mb:
        return False
    if ma == mb and da == db and abs(int(ya) - int(yb)) == 1:
        return False
    return bool(abs((np.datetime64(a) - np.datetime64(b)).astype(int)) > 1)


@dataclass
class _Cluster:
    members: list[int]
    dobs: dict[int, str] = field(default_factory=dict)
    genders: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)  # unique source -> external id
    guard: Keys | None = None  # what the contradiction guard compares, when it applies


@dataclass
class Constraints:
    """Per-record attributes the clustering must not contradict, plus forbidden pairs."""

    dob: dict[int, str]
    gender: dict[int, str]
    unique_key: dict[int, tuple[str, str]]
    cannot_link: set[tuple[int, int]]
    negative: set[tuple[int, int]]
    forbidden: dict[int, set[int]] = field(default_factory=dict)
    # Pairs with a direct link of their own: a birth-date difference between them is a typo
    # the link already outweighed, not a reason to keep them apart.
    direct: set[tuple[int, int]] = field(default_factory=set)
    # The contradiction guard's keys of each record it applies to (full runs), and the pairs it
    # held back: (a, b) with a < b, the edge a probabilistic merge was refused on, -> why.
    guard: dict[int, Keys] = field(default_factory=dict)
    held: dict[tuple[int, int], Reason] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a, b in self.cannot_link | self.negative:
            self.forbidden.setdefault(a, set()).add(b)
            self.forbidden.setdefault(b, set()).add(a)


def _compatible(x: _Cluster, y: _Cluster, cons: Constraints) -> bool:
    """Whether merging two clusters keeps every constraint."""
    if len(x.genders | y.genders) > 1:
        return False
    for s, ext in x.keys.items():
        if y.keys.get(s, ext) != ext:
            return False
    for r1, d1 in x.dobs.items():
        for r2, d2 in y.dobs.items():
            if (
                d1 != d2
                and (min(r1, r2), max(r1, r2)) not in cons.direct
                and dates_conflict(np.datetime64(d1), np.datetime64(d2))
            ):
                return False
    if cons.forbidden:
        small, big = (x, y) if len(x.members) <= len(y.members) else (y, x)
        big_set = set(big.members)
        for m in small.members:
            bad = cons.forbidden.get(m)
            if bad and not bad.isdisjoint(big_set):
                return False
    return True


def greedy_merge(
    nodes: Iterable[int],
    edges: pd.DataFrame,
    cons: Constraints,
    max_size: int,
    initial: dict[int, int] | None = None,
) -> dict[int, int]:
    """Merge along edges in decreasing probability, refusing merges that break constraints.

    ``initial`` (record -> group) pre-merges records already known to be one person (existing
    clusters in incremental runs); those groups are kept whole. Where ``cons.guard`` has the
    records' keys, a probabilistic edge is also refused when the two clusters contradict each
    other (``guard.contradiction``); those edges end up in ``cons.held`` unless the two records
    were joined through others after all.
    """
    clusters: dict[int, _Cluster] = {}
    owner: dict[int, int] = {}
    for n in nodes:
        c = _Cluster(members=[n])
        if n in cons.dob:
            c.dobs[n] = cons.dob[n]
        if cons.gender.get(n):
            c.genders.add(cons.gender[n])
        if n in cons.unique_key:
            s, ext = cons.unique_key[n]
            c.keys[s] = ext
        c.guard = cons.guard.get(n)
        clusters[n] = c
        owner[n] = n
    if initial:
        groups: dict[int, list[int]] = {}
        for n, g in initial.items():
            if n in owner:
                groups.setdefault(g, []).append(n)
        for members in groups.values():
            for m in members[1:]:
                _absorb(clusters, owner, owner[members[0]], owner[m])
    order = edges.sort_values(["rank", "probability"], ascending=[True, False])
    cons.direct.update(
        zip(
            np.minimum(order["a"], order["b"]).tolist(),
            np.maximum(order["a"], order["b"]).tolist(),
            strict=True,
        )
    )
    for a, b, rank in zip(
        order["a"].tolist(), order["b"].tolist(), order["rank"].tolist(), strict=True
    ):
        ra, rb = owner[a], owner[b]
        if ra == rb:
            continue
        x, y = clusters[ra], clusters[rb]
        if len(x.members) + len(y.members) > max_size or not _compatible(x, y, cons):
            continue
        if rank >= 2 and x.guard is not None and y.guard is not None:  # not an exact link
            reason = contradiction(x.guard, y.guard)
            if reason is not None:
                cons.held[(min(a, b), max(a, b))] = reason
                continue
        _absorb(clusters, owner, ra, rb)
    out = {m: min(c.members) for c in clusters.values() for m in c.members}
    cons.held = {p: r for p, r in cons.held.items() if out[p[0]] != out[p[1]]}
    return out


def _absorb(clusters: dict[int, _Cluster], owner: dict[int, int], ra: int, rb: int) -> None:
    """Merge cluster rb into ra (the larger one survives)."""
    if ra == rb:
        return
    if len(clusters[ra].members) < len(clusters[rb].members):
        ra, rb = rb, ra
    x, y = clusters[ra], clusters[rb]
    x.members.extend(y.members)
    x.dobs.update(y.dobs)
    x.genders |= y.genders
    x.keys.update(y.keys)
    if x.guard is not None and y.guard is not None:
        x.guard = x.guard | y.guard
    for m in y.members:
        owner[m] = ra
    del clusters[rb]
