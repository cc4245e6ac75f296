"""Per-process sliding-window limits for anonymous survey links (new responses per address).

In memory on purpose: a limit only has to slow a flood down, and survives no restart. With
several server processes each enforces its own window (documented in docs/surveys.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque


class Window:
    """At most ``limit`` hits per key within ``seconds``."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count a hit; None when allowed, else the seconds to wait."""
        t = time.monotonic()
        with self._lock:
            if len(self._hits) > 50_000:
                self._prune(t)
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= t - self.seconds:
                q.popleft()
            if len(q) >= self.limit:
                return max(1, int(q[0] + self.seconds - t) + 1)
            q.append(t)
            return None

    def _prune(self, t: float) -> None:
        for key in [k for k, q in self._hits.items() if not q or q[-1] <= t - self.seconds]:
            del self._hits[key]

    def reset(self) -> None:
        """Forget every hit (tests)."""
        with self._lock:
            self._hits.clear()


# A person answering a public link starts a few responses at most; a kiosk serves a queue.
PUBLIC = Window(limit=10, seconds=600)
KIOSK = Window(limit=240, seconds=600)
# The widget: one visitor answers once; an office or a mobile carrier's NAT shares an address.
WIDGET = Window(limit=20, seconds=600)
