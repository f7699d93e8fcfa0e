"""Results cached per store content (kam_core/cache.py): the key, invalidation by a write, and one
computation per key when several threads ask at once."""
from __future__ import annotations

import threading
import time

import pytest

from kam_core.cache import by_version


class FakeStore:
    def __init__(self):
        self.key = ("file", 1)


def test_result_is_kept_per_version_and_arguments():
    calls = []

    @by_version()
    def double(store, x):
        calls.append(x)
        return 2 * x

    store = FakeStore()
    assert double(store, 2) == 4 and double(store, 2) == 4 and double(store, 3) == 6
    assert calls == [2, 3]
    store.key = ("file", 2)            # a committed write
    assert double(store, 2) == 4
    assert calls == [2, 3, 2]



def test_an_argument_by_position_by_name_or_by_default_is_one_key():
    calls = []

    @by_version()
    def scaled(store, x, factor=2):
        calls.append((x, factor))
        return x * factor

    store = FakeStore()
    assert scaled(store, 3) == scaled(store, 3, 2) == scaled(store, x=3, factor=2) == 6
    assert calls == [(3, 2)]
    assert scaled(store, 3, factor=5) == 15
    assert calls == [(3, 2), (3, 5)]

def test_concurrent_callers_of_one_key_share_one_computation():
    calls = []
    started = threading.Event()

    @by_version()
    def slow(store, x):
        calls.append(x)
        started.set()
        time.sleep(0.2)
        return object()

    store = FakeStore()
    results = [None] * 4

    def ask(i):
        results[i] = slow(store, 1)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    threads[0].start()
    started.wait()
    for th in threads[1:]:
        th.start()
    for th in threads:
        th.join()
    assert calls == [1]
    assert all(r is results[0] for r in results)


def test_a_failed_computation_is_not_cached_and_a_waiting_caller_retries():
    attempts = []
    started = threading.Event()

    @by_version()
    def flaky(store):
        attempts.append(1)
        if len(attempts) == 1:
            started.set()
            time.sleep(0.1)
            raise RuntimeError("disk hiccup")
        return "ok"

    store = FakeStore()
    second = {}
    waiter = threading.Thread(target=lambda: second.setdefault("value", flaky(store)))

    def first():
        with pytest.raises(RuntimeError):
            flaky(store)

    leader = threading.Thread(target=first)
    leader.start()
    started.wait()
    waiter.start()
    leader.join()
    waiter.join()
    assert second["value"] == "ok" and len(attempts) == 2
    assert flaky(store) == "ok" and len(attempts) == 2
