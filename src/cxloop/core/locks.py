"""A first-come, first-served lock for the SQLite writers of one process.

``threading.Lock`` makes no promise of order: under a few dozen writers a waiting thread can be
passed over again and again while newer ones win, which shows as a long latency tail (p99 several
times the median). This lock hands ownership to the longest waiter on release.
"""

from __future__ import annotations

import threading
from collections import deque


class FifoLock:
    """A non-reentrant lock granted in the order it was asked for."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float = -1) -> bool:
        """Take the lock, waiting at most ``timeout`` seconds (forever if negative)."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # release() handed the lock over
        with self._mutex:
            try:
                self._waiters.remove(turn)
            except ValueError:  # handed over just as the wait timed out: it is ours
                return True
            return False

    def release(self) -> None:
        """Give the lock to the longest waiter, or free it."""
        with self._mutex:
            if not self._held:
                raise RuntimeError("release of an unlocked FifoLock")
            if self._waiters:
                self._waiters.popleft().release()  # ownership passes; _held stays True
            else:
                self._held = False

    def locked(self) -> bool:
        """Whether some thread holds the lock."""
        return self._held
