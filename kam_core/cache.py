"""Results cached per store content: the key is (file, data version, arguments).

Every committed write bumps the data version, so an import, a deletion or an
edit invalidates what was computed before, and one dataset's result can never
be served for another. Analyses take the store as first argument.
"""
from __future__ import annotations

import functools
import inspect
import threading
from collections import OrderedDict

_CLEARERS: list = []


def clear_all() -> None:
    """Forget every cached result (the benchmark measures cold computations)."""
    for clear in _CLEARERS:
        clear()


def by_version(maxsize: int = 64):
    """Cache fn(store, ...) per (store content, arguments). One computation per key at a time: a
    second caller of a key being computed (another session, a worker thread) waits for that result
    instead of repeating the work."""
    def decorate(fn):
        entries: OrderedDict = OrderedDict()
        running: dict = {}                     # key -> Event set when its computation ends
        lock = threading.Lock()

        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(store, *args, **kwargs):
            # f(s, d) and f(s, d, level="client") are one computation: the key is every argument by name.
            bound = signature.bind(store, *args, **kwargs)
            bound.apply_defaults()
            key = (store.key, tuple(bound.arguments.items())[1:])
            while True:
                with lock:
                    if key in entries:
                        entries.move_to_end(key)
                        return entries[key]
                    busy = running.get(key)
                    if busy is None:
                        running[key] = threading.Event()
                        break
                busy.wait()            # then read the result, or compute it if that run failed
            try:
                value = fn(store, *args, **kwargs)
                with lock:
                    entries[key] = value
                    while len(entries) > maxsize:
                        entries.popitem(last=False)
            finally:
                with lock:
                    running.pop(key).set()
            return value

        wrapper.cache_clear = entries.clear
        _CLEARERS.append(entries.clear)
        return wrapper

    return decorate
