"""Crash-safe JSON records on disk: the batch ledger and the stored grades.

A record is written to a temporary file in the same folder, flushed to disk and renamed over the old one, so a reader
sees the previous record or the new one, never half of one, even when the writer is killed mid-write. A record that
does not parse, or lacks its checksum, is treated as absent: it is recomputed, never taken for a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


class JsonStore:
    """A folder of ``<key>.json`` records, each carrying a checksum of its own content."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith("."):
            raise ValueError(f"bad record key {key!r}")
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The record, or None when it is absent, truncated or corrupt."""
        try:
            envelope = json.loads(self.path(key).read_text())
            body = envelope["record"]
            if envelope["sha256"] != _checksum(body):
                return None
            return body
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, record: dict) -> None:
        """Writes the record atomically and durably."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"sha256": _checksum(record), "record": record})
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))


def _checksum(record) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def digest(*parts: bytes | str) -> str:
    """A sha256 over the parts, each length-prefixed so that no two different lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()
