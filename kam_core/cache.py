"""Results cached per store content: the key is (file, data version, arguments).

Every committed write bumps the data version, so an import, a deletion or an
edit invalidates what was computed before, and one dataset's result can never
be served for another. Analyses take the store as first argument.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

_CLEARERS: list = []


def clear_all() -> None:
    """Forget every cached result (the benchmark measures cold computations)."""
    for clear in _CLEARERS:
        clear()


def by_version(maxsize: int = 64):
    def decorate(fn):
        entries: OrderedDict = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(fn)
        def wrapper(store, *args, **kwargs):
            key = (store.key, args, tuple(sorted(kwargs.items())))
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    return entries[key]
            value = fn(store, *args, **kwargs)
            with lock:
                entries[key] = value
                while len(entries) > maxsize:
                    entries.popitem(last=False)
            return value

        wrapper.cache_clear = entries.clear
        _CLEARERS.append(entries.clear)
        return wrapper

    return decorate
