"""The build stamp: an up-to-date ``clusterdx run`` recognised without starting pytask.

pytask decides that a task is unchanged by comparing the states of its dependencies and products
(file modification times, the hashed spec and code values of `clusterdx.tasks.pipeline`) with its
database. Importing pytask (SQLAlchemy) and rewriting every node's state takes longer than the rest
of an up-to-date run, so after every successful `clusterdx.tasks.pipeline.run` this module writes
``data_clean/.clusterdx.stamp.json``:

* a key: SHA-256 over the resolved study spec (``--set`` overrides included), the project paths,
  the fingerprints of the region, weights and indicator files (`clusterdx.tasks.fingerprints`), the
  whole ``clusterdx`` package (every source and data file: a superset of each step's code hash) and
  the pytask and Python versions, computed before the build;
* every file node of every task (raw files, study file, clean data, spatial inputs, tables, figures,
  index, manifest) and pytask's database, with size, modification time and SHA-256, read after it.

`up_to_date` holds the study lock, recomputes the key and compares every file: size, modification
time (the state pytask compares) and SHA-256 (what `run`'s checks for edited outputs and raw files
compare), and looks for files left in the output folders that no step declares (which `run` would
delete). Only when all of that matches, which is when pytask would skip every task and `run` would
touch nothing, does ``clusterdx run`` stop without importing pytask; anything else (no stamp, a
failed or interrupted run, ``--force``, another run holding the lock) goes through pytask. The
stamp is deleted when a run starts, so it only ever describes a finished, successful build.

Written here because pytask has no such query that avoids its own start-up; standard library only.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import clusterdx
from clusterdx.errors import ClusterDXError
from clusterdx.study import Study
from clusterdx.tasks.fingerprints import indicator_files, region_inputs, weights_files
from clusterdx.tasks.lock import study_lock
from clusterdx.tasks.manifest import sha256

if TYPE_CHECKING:
    import pytask

STAMP_NAME = ".clusterdx.stamp.json"
#: pytask's state database, written by `clusterdx.tasks.pipeline`.
DATABASE_NAME = ".pytask.sqlite3"


def output_folders(study: Study) -> tuple[Path, ...]:
    """Folders whose files are all declared by some step: anything else in them is stale."""
    return (
        study.clean_dir / "sources",
        study.clean_dir / "spatial",
        study.reports_dir / "tables",
        study.reports_dir / "figures",
    )


def _package_digest() -> str:
    """SHA-256 over every file of the installed ``clusterdx`` package (bytecode caches excluded)."""
    root = Path(clusterdx.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_key(study: Study) -> str:
    """SHA-256 of everything besides file nodes that decides what the pipeline of ``study`` does."""
    payload = {
        "spec": study.spec.model_dump(mode="json"),
        "paths": [str(p) for p in (study.path, study.root, study.clean_dir, study.reports_dir)],
        "raw": str(study.raw_dir),
        "regions": region_inputs(study),
        "weights_files": weights_files(study),
        "indicator_files": indicator_files(study),
        "package": _package_digest(),
        "pytask": metadata.version("pytask"),
        "python": [platform.python_implementation(), sys.version],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state(path: Path, digest: str | None = None) -> list | None:
    """[size, modification time in ns, SHA-256] of a file (``digest`` when already computed), or
    None when it is not a file."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return [info.st_size, info.st_mtime_ns, digest or sha256(path)]


def stamp_path(study: Study) -> Path:
    """Where the stamp of ``study`` lives."""
    return study.clean_dir / STAMP_NAME


def discard_stamp(study: Study) -> None:
    """Delete the stamp (a run is starting: until it succeeds nothing is known to be up to date)."""
    stamp_path(study).unlink(missing_ok=True)


def write_stamp(
    study: Study, key: str, session: pytask.Session, digests: Mapping[Path, str]
) -> None:
    """Record ``key`` (`build_key` before the build) and the state of every file node of the
    session's tasks and of pytask's database; ``digests`` are SHA-256 already computed after the
    build (`clusterdx.tasks.pipeline.record_outputs`), the other files are read here."""
    from pytask import PPathNode, tree_util

    files: set[Path] = {study.clean_dir / DATABASE_NAME}
    for task in session.tasks:
        for node in (
            *tree_util.tree_leaves(task.depends_on),
            *tree_util.tree_leaves(task.produces),
        ):
            if isinstance(node, PPathNode):
                files.add(Path(node.path))
    states = {str(path): _state(path, digests.get(path)) for path in sorted(files)}
    stamp = {
        "key": key,
        "tasks": sorted(task.name.split("::")[-1] for task in session.tasks),
        "files": states,
    }
    stamp_path(study).write_text(
        json.dumps(stamp, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def up_to_date(study: Study) -> list[str] | None:
    """The names of the pipeline's tasks (sorted) when a run of ``study`` would change nothing,
    else None.

    None also when the stamp is missing or unreadable, or when another run holds the study lock
    (the full run then reports it).

    Examples
    --------
    A study never built has no stamp:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> _ = (root / "gdp.csv").write_text("省份,年份,GDP\\n北京,2020,36102.6\\n", encoding="utf-8")
    >>> _ = (root / "study.toml").write_text('''
    ... [study]
    ... name = "demo"
    ... years = [2020, 2020]
    ... [paths]
    ... root = "."
    ... raw = "."
    ... [variables.gdp]
    ... unit = "亿元"
    ... [[sources]]
    ... name = "gdp"
    ... file = "gdp.csv"
    ... region = "省份"
    ... year = "年份"
    ... variables.gdp = { column = "GDP", unit = "亿元" }
    ... ''', encoding="utf-8")
    >>> up_to_date(Study.load(root / "study.toml")) is None
    True
    >>> tmp.cleanup()
    """
    path = stamp_path(study)
    if not path.is_file():
        return None
    try:
        with study_lock(study):
            return _matches(study, json.loads(path.read_text(encoding="utf-8")))
    except (ClusterDXError, OSError, ValueError, KeyError, TypeError):
        return None


def _matches(study: Study, stamp: dict) -> list[str] | None:
    files = stamp["files"]
    for name, state in files.items():
        if state is None or _state(Path(name)) != state:
            return None
    for folder in output_folders(study):
        if folder.is_dir() and any(str(p) not in files for p in folder.rglob("*") if p.is_file()):
            return None
    if build_key(study) != stamp["key"]:
        return None
    return list(stamp["tasks"])
