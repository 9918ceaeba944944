"""Writes that could not reach the store in time, kept on local disk until they can.

A batch's results that cannot be written within the store's budget (another
process held the DuckDB file past ``lock_timeout``) are not dropped: the write is
spooled as one JSON file in the journal folder (beside the DuckDB file, or in
``DAGSTER_HOME`` for a Postgres store that could not be reached). The file is
written under a temporary name and renamed, so a reader only ever sees whole
entries. Every later opening of the store applies the pending entries first, each
in the transaction that also records its id in ``journal_applied``: an entry is
applied exactly once, even when its file could not be removed afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drift_assets.store.backends import StoreTarget

_SUFFIX = ".json"
_REJECTED = "rejected"

log = logging.getLogger(__name__)


def journal_folder(target: StoreTarget) -> Path:
    """Beside a DuckDB file; for a Postgres store, in this host's ``DAGSTER_HOME``
    (one folder per database, named by its password-free location), since the
    database itself is what could not be reached. A pod that journals must keep
    ``DAGSTER_HOME`` on a volume that outlives it (docs/deploy.md)."""
    if target.path is not None:
        return target.path.with_name(target.path.name + ".journal")
    digest = hashlib.sha256(target.location.encode()).hexdigest()[:16]
    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")
    return home / f"drift_assets-{digest}.journal"


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    kind: str  # what the payload is a write of ("evaluation")
    payload: dict[str, Any]
    path: Path


class Journal:
    def __init__(self, folder: Path):
        self.folder = folder

    def append(self, kind: str, payload: dict[str, Any]) -> JournalEntry:
        """Spool one write; its id sorts after every earlier entry's."""
        self.folder.mkdir(parents=True, exist_ok=True)
        entry_id = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
        path = self.folder / f"{entry_id}{_SUFFIX}"
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            json.dump({"entry_id": entry_id, "kind": kind, "payload": payload}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        return JournalEntry(entry_id, kind, payload, path)

    def pending(self) -> Iterator[JournalEntry]:
        """The whole entries waiting, oldest first. An entry that cannot be read is
        moved to ``rejected/`` with one warning, so it never blocks the others."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob(f"*{_SUFFIX}")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
                entry = JournalEntry(
                    document["entry_id"], document["kind"], document["payload"], path
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self._reject(path, exc)
                continue
            yield entry

    def remove(self, entry: JournalEntry) -> None:
        entry.path.unlink(missing_ok=True)

    def _reject(self, path: Path, exc: BaseException) -> None:
        rejected = self.folder / _REJECTED
        rejected.mkdir(exist_ok=True)
        os.replace(path, rejected / path.name)
        log.warning("journal entry %s is unreadable (%s); moved to %s", path.name, exc, rejected)
