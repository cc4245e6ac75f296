"""A small multilayer perceptron in numpy: deterministic training with Adam, L2 and early stopping.

Used for the sentiment head on sentence embeddings (512 → hidden → 3). Written here rather than
taken from scikit-learn so that training accepts per-example weights, can start from an existing
head (workspace tuning) and is bit-for-bit repeatable on one machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


@dataclass
class MlpWeights:
    """Weights of a one-hidden-layer perceptron with ReLU and a softmax output."""

    w1: F32
    b1: F32
    w2: F32
    b2: F32

    def copy(self) -> MlpWeights:
        """A deep copy."""
        return MlpWeights(self.w1.copy(), self.b1.copy(), self.w2.copy(), self.b2.copy())


def init_weights(n_in: int, n_hidden: int, n_out: int, seed: int) -> MlpWeights:
    """Glorot-uniform initial weights from a fixed seed."""
    rng = np.random.default_rng(seed)
    a1 = np.sqrt(6.0 / (n_in + n_hidden))
    a2 = np.sqrt(6.0 / (n_hidden + n_out))
    return MlpWeights(
        rng.uniform(-a1, a1, (n_in, n_hidden)).astype(np.float32),
        np.zeros(n_hidden, dtype=np.float32),
        rng.uniform(-a2, a2, (n_hidden, n_out)).astype(np.float32),
        np.zeros(n_out, dtype=np.float32),
    )


def predict_proba(w: MlpWeights, x: F32) -> F32:
    """Class probabilities for the rows of ``x``."""
    h = x @ w.w1
    h += w.b1
    np.maximum(h, 0, out=h)
    z = h @ w.w2
    z += w.b2
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z.astype(np.float32, copy=False)


def _loss(w: MlpWeights, x: F32, y: I64, sw: F32) -> float:
    p = predict_proba(w, x)
    picked = np.clip(p[np.arange(len(y)), y], 1e-7, 1.0)
    return float(-(sw * np.log(picked)).sum() / sw.sum())


def fit(
    x: F32,
    y: I64,
    *,
    sample_weight: F32 | None = None,
    n_hidden: int = 256,
    n_classes: int = 3,
    init: MlpWeights | None = None,
    alpha: float = 1e-2,
    lr: float = 1e-3,
    batch_size: int = 200,
    max_epochs: int = 60,
    patience: int = 6,
    validation_fraction: float = 0.1,
    seed: int = 0,
) -> MlpWeights:
    """Train with mini-batch Adam; stop when the held-back validation loss stops improving."""
    rng = np.random.default_rng(seed)
    n = len(x)
    sw = np.ones(n, dtype=np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    order = rng.permutation(n)
    n_val = int(n * validation_fraction) if n >= 50 else 0
    val, tr = order[:n_val], order[n_val:]
    w = init.copy() if init is not None else init_weights(x.shape[1], n_hidden, n_classes, seed)
    params = [w.w1, w.b1, w.w2, w.b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    best, best_w, bad = np.inf, w.copy(), 0
    for _ in range(max_epochs):
        perm = tr[rng.permutation(len(tr))]
        for i in range(0, len(perm), batch_size):
            idx = perm[i : i + batch_size]
            xb, yb, wb = x[idx], y[idx], sw[idx]
            h = xb @ w.w1 + w.b1
            a = np.maximum(h, 0)
            z = a @ w.w2 + w.b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1.0
            d2 = p * (wb / wb.sum())[:, None]
            g_w2 = a.T @ d2 + alpha * w.w2 / len(idx)
            g_b2 = d2.sum(axis=0)
            d1 = (d2 @ w.w2.T) * (h > 0)
            g_w1 = xb.T @ d1 + alpha * w.w1 / len(idx)
            g_b1 = d1.sum(axis=0)
            step += 1
            for j, g in enumerate((g_w1, g_b1, g_w2, g_b2)):
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g
                mh = m[j] / (1 - b1**step)
                vh = v[j] / (1 - b2**step)
                params[j] -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        if n_val == 0:
            best_w = w.copy()
            continue
        loss = _loss(w, x[val], y[val], sw[val])
        if loss < best - 1e-4:
            best, best_w, bad = loss, w.copy(), 0
        else:
            bad += 1
            if bad >= patience:
                break
    return best_w
