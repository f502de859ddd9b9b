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

from clusterdx.errors import DataError


@dataclass
class FileAudit:
    """What happened to one raw file."""

    file: str
    sha256: str = ""
    encoding: str | None = None
    rows_read: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    sheets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rows_kept(self) -> int:
        return self.rows_read - len(self.dropped)

    def count_table(
        self,
        sheet: str | None,
        *,
        lines: int,
        header_lines: int,
        record_lines: int,
        records_per_line: int,
        records_read: int,
        records_kept: int,
    ) -> None:
        """Record the counts of one CSV file or sheet, reconciled by `reconcile` (key ``""`` = CSV).

        ``lines`` are the rows of the file or sheet and ``record_lines`` those holding records (the
        rest are header rows or skipped lines); a long table has one record per line, a wide one a
        record per year column (``records_per_line``). ``records_read`` and ``records_kept`` are
        counted in the tables themselves: the records read and those in the clean table.
        """
        self.sheets[sheet or ""] = {
            "lines": int(lines),
            "header_lines": int(header_lines),
            "record_lines": int(record_lines),
            "records_per_line": int(records_per_line),
            "records_read": int(records_read),
            "records_kept": int(records_kept),
        }
        self.rows_read = sum(t["records_read"] for t in self.sheets.values())

    def reconcile(self) -> dict[str, dict[str, Any]]:
        """Per file or sheet: lines = header + skipped + record lines, records read = record lines x
        records per line = kept + dropped. Returns the counts with an ``ok`` flag per table."""
        out = {}
        for sheet, c in sorted(self.sheets.items()):
            skipped = sum(1 for s in self.skipped if (s.get("sheet") or "") == sheet)
            dropped = sum(1 for d in self.dropped if (d.get("sheet") or "") == sheet)
            ok = (
                c["lines"] == c["header_lines"] + skipped + c["record_lines"]
                and c["records_read"] == c["record_lines"] * c["records_per_line"]
                and c["records_read"] == c["records_kept"] + dropped
            )
            out[sheet] = {**c, "lines_skipped": skipped, "records_dropped": dropped, "ok": ok}
        return out

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
            "skipped": self.skipped,
            "lines_skipped": len(self.skipped),
            "units": self.units,
            "reconciliation": self.reconcile(),
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

    def drop(
        self,
        name: str,
        *,
        row: int,
        reason: str,
        key: dict[str, Any] | None = None,
        sheet: str | None = None,
        column: str | None = None,
    ) -> None:
        """Record one dropped record of file ``name`` (``row`` as a person counts it in the file;
        ``column`` the year column of a wide table's cell)."""
        entry = {"row": int(row), "reason": reason, "key": key or {}}
        entry |= {"sheet": sheet} if sheet else {}
        entry |= {"column": column} if column else {}
        self.file(name).dropped.append(entry)

    def skip(
        self, name: str, *, row: int, reason: str, text: str, sheet: str | None = None
    ) -> None:
        """Record one line that holds no record (above the header, footer, blank, dropped region)."""
        entry = {"row": int(row), "reason": reason, "text": text}
        entry |= {"sheet": sheet} if sheet else {}
        self.file(name).skipped.append(entry)

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
        sheet: str | None = None,
    ) -> None:
        """Record one changed cell (interpolated, rescaled for a unit slip, ...)."""
        entry = {
            "row": None if row is None else int(row),
            "column": column,
            "action": action,
            "old": old,
            "new": new,
            "key": key or {},
        }
        entry |= {"sheet": sheet} if sheet else {}
        self.file(name).changed.append(entry)

    def reconcile(self) -> dict[str, Any]:
        """Reconcile every file and sheet (see `FileAudit.reconcile`); raise when one does not add up.

        Raises
        ------
        DataError
            Naming the file, the sheet and the counts that disagree: a record was lost (or added)
            without an audit line, which is a bug to report.
        """
        tables = {name: entry.reconcile() for name, entry in sorted(self.files.items())}
        for name, sheets in tables.items():
            for sheet, counts in sheets.items():
                if not counts["ok"]:
                    where = f"{name}, sheet '{sheet}'" if sheet else name
                    raise DataError(
                        f"{where}: the audit does not reconcile: {counts['lines']} lines = "
                        f"{counts['header_lines']} header + {counts['lines_skipped']} skipped + "
                        f"{counts['record_lines']} record lines; {counts['records_read']} "
                        f"records read but {counts['records_kept']} kept + "
                        f"{counts['records_dropped']} dropped. A record was lost or added without an "
                        "audit line: please report this as a clusterdx bug"
                    )
        self.tables["reconciliation"] = {
            "ok": True,
            "rule": "per file and sheet: lines = header + skipped + record lines; "
            "records read = kept + dropped",
        }
        return tables

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
