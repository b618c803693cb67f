"""Shared caches of results every session of the process may reuse (缓存).

A cached result is keyed by everything that scopes it and by the database's data
version (:meth:`RepositoryBase.data_version`), which every write that changes product
data bumps inside its own transaction (``db.in_transaction``). So a write is seen by
the next read in any session, of this process or of another one sharing the database,
without anyone having to clear anything; and a unit's result is keyed by its unit, so
it is never served to another unit.

Each cache is a bounded LRU (a fixed number of entries), and an entry computed at an
older version of its database is dropped as soon as a newer one is stored: memory
stays bounded however many sessions open and close.

No streamlit here: the services call these caches, the pages do not see them.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from themeday.core.domain import Actor, Role

V = TypeVar("V")

Key = tuple[Hashable, ...]


def scope_of(actor: Actor) -> tuple[str, int | None]:
    """What an actor's reads are narrowed to: ``("unit", id)`` for a unit user, else
    ``("all", None)`` (the office and leaders read every unit)."""
    if actor.role == Role.UNIT:
        return ("unit", actor.unit_id)
    return ("all", None)


class LruCache(Generic[V]):
    """A thread-safe LRU cache of at most ``maxsize`` entries.

    Keys are ``(database identity, data version, *scope)``. ``copy`` is applied to a
    value on its way out, so a caller that changes what it got (a DataFrame column
    added for display) does not change what the next session gets.
    """

    def __init__(self, name: str, maxsize: int, copy: Callable[[V], V] | None = None):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.name = name
        self.maxsize = maxsize
        self._copy = copy or (lambda value: value)
        self._entries: OrderedDict[Key, V] = OrderedDict()
        self._newest: dict[Hashable, int] = {}  # database identity → newest version seen
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self,
        database: Hashable,
        version: int,
        scope: tuple[Hashable, ...],
        compute: Callable[[], V],
    ) -> V:
        """The value for ``scope`` at ``version`` of ``database``, computed on a miss."""
        if not _enabled:
            return compute()
        key = (database, version, *scope)
        found, value = self._lookup(key)
        if found:
            return self._copy(value)
        # One session computes a key at a time: the dashboards that all reload after a
        # write wait for the first one's result instead of each computing it. Other
        # keys, and reads of stored entries, do not wait (the cache lock is not held).
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found, value = self._lookup(key)
            if found:
                return self._copy(value)
            with self._lock:
                self.misses += 1
            try:
                with collector_paused():
                    value = compute()
                with self._lock:
                    self._store(key, database, version, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return self._copy(value)

    def _lookup(self, key: Key) -> tuple[bool, V | None]:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, self._entries[key]
        return False, None

    def _store(self, key: Key, database: Hashable, version: int, value: V) -> None:
        newest = self._newest.get(database, version)
        if version < newest:
            return  # computed from a version that a write has already replaced
        if version > newest:
            for old in [k for k in self._entries if k[0] == database and k[1] < version]:
                del self._entries[old]
        self._newest[database] = version
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        if len(self._newest) > 4 * self.maxsize:  # forget databases no entry is from
            live = {k[0] for k in self._entries}
            self._newest = {d: v for d, v in self._newest.items() if d in live}

    def clear(self) -> None:
        """Forget every entry (tests, benchmarks)."""
        with self._lock:
            self._entries.clear()
            self._newest.clear()
            self.hits = self.misses = 0


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while inside (reference counting still
    frees what is dropped); back on when the last thread inside leaves.

    A cache fill builds tens of thousands of records at a province, and the collector,
    triggered by those allocations, walks every live object again and again: a quarter
    to a third of a fill after a write. The fills build no reference cycles worth
    collecting early; what they leave is collected at the next collection after.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


CACHES: list[LruCache] = []


def cache(name: str, maxsize: int, copy: Callable[[V], V] | None = None) -> LruCache[V]:
    """A new shared cache, registered so :func:`clear_all` reaches it."""
    made: LruCache[V] = LruCache(name, maxsize, copy)
    CACHES.append(made)
    return made


def clear_all() -> None:
    """Empty every shared cache."""
    for each in CACHES:
        each.clear()


_enabled = True


def enabled() -> bool:
    """False inside :func:`disabled`."""
    return _enabled


@contextmanager
def disabled() -> Iterator[None]:
    """Compute everything afresh while inside (the benchmark's "before" runs)."""
    global _enabled
    was, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = was
