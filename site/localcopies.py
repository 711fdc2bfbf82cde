"""A worker's own copies of shared-cache values, for keys whose value never changes (they name their content):
a hit costs no round trip. Bounded: when full it starts over."""

import time


class LocalCopies:
    def __init__(self):
        self._entries: dict = {}

    def get(self, key: str):
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, value, timeout: float, max_entries: int) -> None:
        if len(self._entries) >= max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + timeout, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
