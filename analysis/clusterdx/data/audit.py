"""The audit log: every row read, kept and dropped, and every cell changed, per file and reason.

Nothing is dropped or coerced silently: readers and the panel builder record each decision here, and
the pipeline writes it to ``data_clean/audit.json``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FileAudit:
    """What happened to one raw file."""

    file: str
    sha256: str = ""
    encoding: str | None = None
    rows_read: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_kept(self) -> int:
        return self.rows_read - len(self.dropped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": len(self.dropped),
            "dropped_by_reason": dict(sorted(Counter(d["reason"] for d in self.dropped).items())),
            "cells_changed_by_action": dict(
                sorted(Counter(c["action"] for c in self.changed).items())
            ),
            "dropped": self.dropped,
            "changed": self.changed,
        }


@dataclass
class Audit:
    """Audit of one panel build: a `FileAudit` per source plus a summary of the final panel.

    Examples
    --------
    >>> audit = Audit()
    >>> entry = audit.file("gdp.csv")
    >>> entry.rows_read = 3
    >>> audit.drop("gdp.csv", row=4, reason="exact duplicate", key={"region": 110000, "year": 2011})
    >>> audit.file("gdp.csv").rows_kept
    2
    """

    files: dict[str, FileAudit] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def file(self, name: str) -> FileAudit:
        """The entry for a file, created on first use."""
        return self.files.setdefault(name, FileAudit(file=name))

    def drop(self, name: str, *, row: int, reason: str, key: dict[str, Any] | None = None) -> None:
        """Record one dropped row of file ``name`` (``row`` as a person counts it in the file)."""
        self.file(name).dropped.append({"row": int(row), "reason": reason, "key": key or {}})

    def change(
        self,
        name: str,
        *,
        row: int | None,
        column: str,
        action: str,
        old: float | None,
        new: float | None,
        key: dict[str, Any] | None = None,
    ) -> None:
        """Record one changed cell (interpolated, rescaled for a unit slip, ...)."""
        self.file(name).changed.append(
            {
                "row": None if row is None else int(row),
                "column": column,
                "action": action,
                "old": old,
                "new": new,
                "key": key or {},
            }
        )

    @property
    def rows_dropped(self) -> int:
        return sum(len(f.dropped) for f in self.files.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": sum(f.rows_read for f in self.files.values()),
            "rows_kept": sum(f.rows_kept for f in self.files.values()),
            "rows_dropped": self.rows_dropped,
            "files": {name: self.files[name].to_dict() for name in sorted(self.files)},
            "tables": self.tables,
        }

    def write(self, path: Path) -> None:
        """Write the audit as pretty, key-sorted UTF-8 JSON (stable bytes for the same build)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True, default=_jsonable
        )
        path.write_text(text + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to the audit log")
