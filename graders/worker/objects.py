"""The table of worker objects that the judge refers to by handle."""

from __future__ import annotations

from graders import wire

MAX_HANDLES = 100_000


class ObjectTable:
    """Keeps objects alive while the judge holds a handle to them."""

    def __init__(self):
        self._objects: dict[int, object] = {}
        self._next = 1

    def add(self, obj) -> wire.Handle:
        if len(self._objects) >= MAX_HANDLES:
            raise wire.WireError("too many live handles")
        handle_id, self._next = self._next, self._next + 1
        self._objects[handle_id] = obj
        kind = type(obj)
        return wire.Handle(handle_id, f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"[:200])

    def get(self, handle_id: int):
        try:
            return self._objects[handle_id]
        except KeyError:
            raise LookupError(f"unknown handle {handle_id}") from None

    def drop(self, handle_id: int) -> None:
        self._objects.pop(handle_id, None)
