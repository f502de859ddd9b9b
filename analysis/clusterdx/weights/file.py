"""Read a spatial weights matrix from a file: square matrix (CSV/XLSX), GAL/GWT, or edge list.

Researchers keep their own matrices (economic-geography nested matrices in Excel, GeoDa's GAL/GWT
files). ``libpysal.io`` reads GAL and GWT; the tables are read with pandas. Every file is checked
here with messages naming the offending ids, since ``libpysal.weights.full2W`` accepts a negative
weight, a non-zero diagonal or mismatched ids silently.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from clusterdx.errors import WeightsError
from clusterdx.weights.matrix import SparseWeights, plain, sparse_weights

if TYPE_CHECKING:
    from libpysal.weights import W

FileTransform = Literal["row", "none"]
Islands = Literal["error", "keep"]
FILE_TRANSFORMS: tuple[FileTransform, ...] = ("row", "none")
ISLANDS: tuple[Islands, ...] = ("error", "keep")
EDGE_COLUMNS = ("from", "to", "weight")
_SHOWN = 10


def _listing(items: list) -> str:
    extra = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(repr(plain(i)) for i in items[:_SHOWN]) + extra


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, dtype=str, header=0, keep_default_na=False)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, header=0, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise WeightsError(f"{path.name} is neither UTF-8 nor GBK/GB18030 text")


def _number(path: Path, text: str, row: object, column: object) -> float:
    try:
        return float(str(text).strip() or "0")
    except ValueError:
        raise WeightsError(
            f"{path.name}: cell (row {plain(row)!r}, column {plain(column)!r}) = {text!r} is not a "
            "number; a weights file holds numbers only (0 or empty for no link)"
        ) from None


def _matrix(path: Path, table: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """A square table: ids in the first column and in the header (same set, any order)."""
    rows = [str(i).strip() for i in table.iloc[:, 0]]
    columns = [str(c).strip() for c in table.columns[1:]]
    if len(rows) != len(columns) or set(rows) != set(columns):
        only_rows = [r for r in rows if r not in set(columns)]
        only_columns = [c for c in columns if c not in set(rows)]
        raise WeightsError(
            f"{path.name}: the matrix is not square: {len(rows)} row(s) x {len(columns)} "
            f"column(s); ids only in the first column: {_listing(only_rows) or 'none'}; ids only "
            f"in the header: {_listing(only_columns) or 'none'}. Give one row and one column per "
            "region, ids in the first column and in the header"
        )
    for ids, where in ((rows, "first column"), (columns, "header")):
        repeated = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
        if repeated:
            raise WeightsError(f"{path.name}: ids repeat in the {where}: {_listing(repeated)}")
    body = table.iloc[:, 1:]
    values = np.array(
        [
            [_number(path, v, rows[i], columns[j]) for j, v in enumerate(line)]
            for i, line in enumerate(body.itertuples(index=False))
        ]
    ).reshape(len(rows), len(columns))
    order = [columns.index(r) for r in rows]
    return values[:, order], rows


def _edges(path: Path, table: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """An edge list with columns from, to and weight (absent weight = 1); ids in order of appearance."""
    frame = table.rename(columns={c: str(c).strip().lower() for c in table.columns})
    source = frame["from"].astype(str).str.strip()
    target = frame["to"].astype(str).str.strip()
    ids = list(dict.fromkeys([*source, *target]))
    position = {key: i for i, key in enumerate(ids)}
    values = np.zeros((len(ids), len(ids)))
    weight = frame["weight"] if "weight" in frame else pd.Series("1", index=frame.index)
    seen: set[tuple[str, str]] = set()
    for line, (a, b, text) in enumerate(zip(source, target, weight, strict=True), start=2):
        if (a, b) in seen:
            raise WeightsError(f"{path.name}, row {line}: the link {a!r} -> {b!r} is listed twice")
        seen.add((a, b))
        values[position[a], position[b]] = _number(path, text, a, b)
    return values, ids


def _libpysal(path: Path) -> tuple[np.ndarray, list[str]]:
    import libpysal

    try:
        w = libpysal.io.open(str(path)).read()
    except Exception as exc:  # libpysal raises bare Exceptions on malformed files
        raise WeightsError(f"{path.name}: not a readable {path.suffix} file ({exc})") from None
    w.transform = "O"
    return np.asarray(w.sparse.toarray(), dtype=float), [str(i) for i in w.id_order]


def read_weights_file(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """The raw weights of a file and its ids (as text), in file order, before any check."""
    path = Path(path)
    if not path.exists():
        raise WeightsError(f"weights file {path} does not exist; check [weights.<name>].file")
    suffix = path.suffix.lower()
    if suffix in (".gal", ".gwt"):
        return _libpysal(path)
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm", ".xls"):
        raise WeightsError(
            f"{path.name}: unknown weights file type {suffix!r}; use a matrix or edge list in "
            ".csv / .xlsx, or a libpysal .gal / .gwt file"
        )
    table = _read_table(path)
    lowered = [str(c).strip().lower() for c in table.columns]
    if {"from", "to"} <= set(lowered):
        return _edges(path, table)
    if table.shape[1] < 2:
        raise WeightsError(f"{path.name}: needs the ids in the first column and in the header")
    return _matrix(path, table)


Aliases = Mapping[str, Hashable] | Callable[[str], Hashable | None]


def _alias(aliases: Aliases | None, key: str) -> Hashable | None:
    if aliases is None:
        return None
    if callable(aliases):
        return aliases(key)
    return aliases.get(key)


def _match(
    path: Path, found: list[str], ids: Sequence[Hashable], aliases: Aliases | None
) -> list[int]:
    """Position in the file of each id in ``ids`` (file ids are codes as text, or aliases)."""
    wanted = [plain(i) for i in ids]
    by_text = {str(i): i for i in wanted}
    resolved: list[Hashable] = []
    unknown = []
    for key in found:
        if key in by_text:
            resolved.append(by_text[key])
        elif _alias(aliases, key) in set(wanted):
            resolved.append(_alias(aliases, key))
        else:
            unknown.append(key)
    missing = [i for i in wanted if i not in set(resolved)]
    if unknown or missing:
        raise WeightsError(
            f"{path.name}: the ids do not match the panel's regions; file ids not in the panel: "
            f"{_listing(unknown) or 'none'}; panel regions not in the file: "
            f"{_listing(missing) or 'none'}. Use the region codes (or names) of the panel, or "
            "drop the regions from the study ([study].exclude_regions)"
        )
    repeated = pd.Index(resolved)[pd.Index(resolved).duplicated()].unique().tolist()
    if repeated:
        raise WeightsError(f"{path.name}: several file ids name region(s) {_listing(repeated)}")
    position = {key: i for i, key in enumerate(resolved)}
    return [position[i] for i in wanted]


def from_file(
    path: str | Path,
    ids: Sequence[Hashable] | None = None,
    *,
    transform: FileTransform = "row",
    islands: Islands = "error",
    aliases: Aliases | None = None,
) -> W:
    """Spatial weights from a file, checked and (by default) row-standardised.

    Formats: a square matrix in CSV/XLSX with the ids in the first column and in the header (any
    column order); an edge list in CSV/XLSX with columns ``from``, ``to`` and ``weight`` (missing
    pairs are 0; no ``weight`` column means 1); a libpysal/GeoDa ``.gal`` or ``.gwt`` file.

    Parameters
    ----------
    path : the file.
    ids : the regions the matrix must cover, e.g. the panel's region codes; the result is in this
        order. File ids are compared as text (``"110000"`` matches 110000). Default: the file's ids
        and order.
    transform : "row" (w_ij / sum_j w_ij, the default) or "none" (the weights as given).
    islands : "error" (a region without any link is refused) or "keep" (its row stays zero, for
        models that allow it; spatial ML models and Moran's I do not).
    aliases : other names of the ids, e.g. region name -> code (a mapping, or a function returning
        the id or None), tried when a file id is not one of ``ids``.

    Raises
    ------
    WeightsError
        Not square, ids not matching ``ids``, non-numeric cells, a non-zero diagonal, negative
        weights, islands; each message names the offending ids.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from clusterdx import weights
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name, "w.csv")
    >>> _ = path.write_text("id,a,b,c\\na,0,1,1\\nb,1,0,0\\nc,1,0,0\\n")
    >>> w = weights.from_file(path, ids=["c", "b", "a"])
    >>> w.id_order, w.full()[0][2].tolist(), w.transform
    (['c', 'b', 'a'], [0.5, 0.5, 0.0], 'R')
    >>> _ = path.write_text("id,a,b,c\\na,0,1,1\\nb,1,0,-2\\nc,1,0,0\\n")
    >>> weights.from_file(path)
    Traceback (most recent call last):
    ...
    clusterdx.errors.WeightsError: w.csv: weights must be >= 0; negative: 'b' -> 'c' (-2). Correct the cells
    >>> folder.cleanup()
    """
    return file_weights(path, ids, transform=transform, islands=islands, aliases=aliases).to_w()


def file_weights(
    path: str | Path,
    ids: Sequence[Hashable] | None = None,
    *,
    transform: FileTransform = "row",
    islands: Islands = "error",
    aliases: Aliases | None = None,
) -> SparseWeights:
    """``from_file`` (same checks and errors) as a ``SparseWeights``; libpysal is imported only for
    a .gal / .gwt file."""
    if transform not in FILE_TRANSFORMS:
        raise WeightsError(
            f"transform={transform!r} is not available; use one of {list(FILE_TRANSFORMS)}"
        )
    if islands not in ISLANDS:
        raise WeightsError(f"islands={islands!r} is not available; use one of {list(ISLANDS)}")
    path = Path(path)
    values, found = read_weights_file(path)
    if ids is None:
        order, labels = list(range(len(found))), [plain(i) for i in found]
    else:
        order, labels = _match(path, found, ids, aliases), [plain(i) for i in ids]
    values = values[np.ix_(order, order)]
    diagonal = np.flatnonzero(np.diag(values) != 0)
    if diagonal.size:
        raise WeightsError(
            f"{path.name}: the diagonal must be 0 (a region is not its own neighbour); non-zero "
            f"for {_listing([labels[i] for i in diagonal])}. Set those cells to 0"
        )
    if not np.all(np.isfinite(values)):
        i, j = np.argwhere(~np.isfinite(values))[0]
        raise WeightsError(f"{path.name}: cell {labels[i]!r} -> {labels[j]!r} is NaN or infinite")
    negative = np.argwhere(values < 0)
    if len(negative):
        shown = ", ".join(
            f"{plain(labels[i])!r} -> {plain(labels[j])!r} ({values[i, j]:g})"
            for i, j in negative[:_SHOWN]
        )
        raise WeightsError(
            f"{path.name}: weights must be >= 0; negative: {shown}. Correct the cells"
        )
    empty = np.flatnonzero((values != 0).sum(axis=1) == 0)
    if empty.size and islands == "error":
        raise WeightsError(
            f"{path.name}: {empty.size} region(s) have no neighbour (islands): "
            f"{_listing([labels[i] for i in empty])}. Give them a link, drop them "
            '([study].exclude_regions), or set islands = "keep" where the model allows a zero row'
        )
    return sparse_weights(values, labels, transform="r" if transform == "row" else "none")
