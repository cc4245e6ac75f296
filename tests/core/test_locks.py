"""The SQLite writers' lock: granted first come, first served, and bounded waits."""

from __future__ import annotations

import threading
import time

import pytest

from cxloop.core.locks import FifoLock


def _wait_until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.001)


def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = FifoLock()
    assert lock.acquire()
    order: list[int] = []
    threads = []
    for i in range(12):

        def take(i: int = i) -> None:
            assert lock.acquire(timeout=10)
            order.append(i)
            lock.release()

        t = threading.Thread(target=take)
        t.start()
        threads.append(t)
        _wait_until(lambda n=i + 1: len(lock._waiters) == n)  # queued before the next asks
    lock.release()
    for t in threads:
        t.join(10)
    assert order == list(range(12))
    assert not lock.locked()


def test_a_wait_times_out_and_leaves_the_queue() -> None:
    lock = FifoLock()
    lock.acquire()
    t0 = time.monotonic()
    assert lock.acquire(timeout=0.05) is False
    assert time.monotonic() - t0 >= 0.05
    assert len(lock._waiters) == 0
    lock.release()
    assert lock.acquire(timeout=0) is True
    lock.release()


def test_release_of_a_free_lock_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        FifoLock().release()
