"""Small vectorised helpers over numpy variable-width string arrays."""

from __future__ import annotations

import numpy as np

S = np.dtypes.StringDType()


def cat(*parts: np.ndarray | str) -> np.ndarray:
    """Concatenate string arrays (or scalars) element-wise."""
    out: np.ndarray = np.asarray(parts[0], dtype=S)
    for p in parts[1:]:
        out = np.strings.add(out, np.asarray(p, dtype=S))
    return out


def pick(
    rng: np.random.Generator, pool: np.ndarray, n: int, p: np.ndarray | None = None
) -> np.ndarray:
    """Draw n items from a pool (optionally weighted)."""
    idx = rng.choice(len(pool), size=n, p=p)
    return np.asarray(pool[idx])


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings of integers."""
    return np.asarray(np.strings.zfill(values.astype(np.int64).astype(S), width))


def sl(values: np.ndarray, start: int, stop: int | None = None) -> np.ndarray:
    """Slice every string of an array."""
    return np.asarray(np.strings.slice(values, start, stop))
