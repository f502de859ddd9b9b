"""The study pipeline as pytask tasks with declared inputs and products.

    raw file ──clean:<source>──► data_clean/sources/<source>.parquet (+ .audit.json)   one task per source
    sources  ──panel──────────► data_clean/panel.parquet, data_clean/audit.json
    panel    ──indicators─────► data_clean/indicators.parquet
    indicators ──models───────► reports/tables/*, reports/figures/*   ([[models]], [diagnostics])
    indicators ──analyses─────► reports/tables/*, reports/figures/*   ([[analyses]], [robustness])
    reports    ──index────────► reports/index.html
    all of it ──manifest──────► reports/manifest.json

pytask (https://pytask-dev.readthedocs.io) records the state of every input, product and task source
in ``data_clean/.pytask.sqlite3``: a second run with nothing changed skips every task, and a changed raw
file reruns its ``clean`` task and what depends on it. Each task also depends on a hash of the part of
``study.toml`` it reads, so editing the model list does not re-read the raw files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytask
from pytask import PathNode, PythonNode, TaskWithoutPath

from clusterdx import report
from clusterdx.errors import ClusterDXError
from clusterdx.study import Study
from clusterdx.tasks import steps
from clusterdx.tasks.analyses import analysis_outputs, run_analyses
from clusterdx.tasks.manifest import write_manifest


def _hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _spec_node(payload: Any) -> PythonNode:
    return PythonNode(value=_hash(payload), hash=True)


PACKAGE = Path(__file__).resolve().parents[1]

#: Package code each step runs: a change in these files reruns the step (pytask itself only tracks the
#: source of the task function, not the library code it calls).
STEP_CODE = {
    "clean": ("data", "regions", "study.py"),
    "panel": ("data", "study.py"),
    "indicators": ("indicators", "study.py"),
    "models": ("panel", "spatial", "weights", "report", "regions", "tasks", "study.py"),
}


def code_hash(step: str) -> str:
    """SHA-256 over the package source files that ``step`` runs (see `STEP_CODE`)."""
    digest = hashlib.sha256()
    for part in STEP_CODE[step]:
        root = PACKAGE / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and path.suffix in (".py", ".csv", ".json"):
                digest.update(path.relative_to(PACKAGE).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _inputs_node(payload: Any, code: str) -> PythonNode:
    """One node for what a step reads besides files: its study-spec section and its package code."""
    return _spec_node({"spec": payload, "code": code})


def source_outputs(study: Study, name: str) -> tuple[Path, Path]:
    """Clean table and audit entry written for one source."""
    folder = study.clean_dir / "sources"
    return folder / f"{name}.parquet", folder / f"{name}.audit.json"


def indicator_files(study: Study) -> dict[str, str]:
    """Fingerprints of the files that indicator recipes read directly (firm files, text corpora,
    keyword dictionaries): name, size and modification time of every matching file, hashed.

    They can be globs or folders of thousands of documents, so they enter the indicators step as one
    hashed value rather than as pytask file nodes.
    """
    fingerprints = {}
    for name, recipe in study.spec.indicators.items():
        for key in ("file", "dictionary"):
            pattern = getattr(recipe, key, None)
            if not pattern:
                continue
            target = study.root / pattern
            if target.is_dir():
                files = sorted(p for p in target.rglob("*") if p.is_file())
            else:
                files = sorted(target.parent.glob(target.name))
            digest = hashlib.sha256()
            for path in files:
                info = path.stat()
                digest.update(f"{path.as_posix()}|{info.st_size}|{info.st_mtime_ns}".encode())
            fingerprints[f"{name}.{key}"] = digest.hexdigest()
    return fingerprints


def collect_tasks(study: Study) -> list:
    """The pytask task functions of a study, with their dependencies declared.

    One ``clean:<source>`` task per source, then panel, indicators, models, analyses, index and
    manifest, as ``pytask.TaskWithoutPath`` objects for ``pytask.build(tasks=...)``.

    Examples
    --------
    A one-source study; a dry run lists what would be built without running anything:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> pd.DataFrame({
    ...     "省份": ["北京", "天津", "北京", "天津"],
    ...     "年份": [2020, 2020, 2021, 2021],
    ...     "GDP": [36102.6, 14083.7, 40269.6, 15695.0],
    ... }).to_csv(root / "gdp.csv", index=False)
    >>> _ = (root / "study.toml").write_text('''
    ... [study]
    ... name = "demo"
    ... years = [2020, 2021]
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
    >>> study = Study.load(root / "study.toml")
    >>> tasks = collect_tasks(study)
    >>> [t.name for t in tasks]
    ['clean:gdp', 'panel', 'indicators', 'models', 'analyses', 'index', 'manifest']
    >>> import contextlib, io
    >>> import pytask
    >>> with contextlib.redirect_stdout(io.StringIO()):  # pytask prints its report
    ...     session = pytask.build(
    ...         tasks=tasks, paths=root, dry_run=True, database_url=f"sqlite:///{root / 'dry.db'}"
    ...     )
    >>> {r.outcome.name for r in session.execution_reports}
    {'WOULD_BE_EXECUTED'}
    >>> tmp.cleanup()
    """
    dumped = study.spec.model_dump(mode="json")
    code = {step: code_hash(step) for step in STEP_CODE}
    meta = {
        "study": dumped["study"],
        "cleaning": dumped["cleaning"],
        "variables": dumped["variables"],
    }
    tasks = []
    tables: dict[str, Path] = {}
    audits: dict[str, Path] = {}
    for source, raw in zip(study.spec.sources, dumped["sources"], strict=True):
        table, audit = source_outputs(study, source.name)
        tables[source.name], audits[source.name] = table, audit
        tasks.append(
            _task(
                f"clean:{source.name}",
                _clean_step(study, source.name),
                depends_on={
                    "raw": study.raw_dir / source.file,
                    "spec": _inputs_node({"source": raw, **meta}, code["clean"]),
                },
                produces={"table": table, "audit": audit},
            )
        )

    clean = study.clean_dir
    panel_path, audit_path = clean / "panel.parquet", clean / "audit.json"
    kinds = {s.name: s.kind for s in study.spec.sources}
    others = {n: p for n, p in tables.items() if kinds[n] != "region_year"}

    def assemble(tables, audits, spec, panel, audit) -> None:
        steps.assemble_panel(study, tables, audits, panel, audit)

    tasks.append(
        _task(
            "panel",
            assemble,
            depends_on={
                "tables": tables,
                "audits": audits,
                "spec": _inputs_node(meta, code["panel"]),
            },
            produces={"panel": panel_path, "audit": audit_path},
        )
    )

    indicators_path = clean / "indicators.parquet"

    def indicators(panel, others, spec, out) -> None:
        steps.build_indicators(study, panel, others, out)

    tasks.append(
        _task(
            "indicators",
            indicators,
            depends_on={
                "panel": panel_path,
                "others": others,
                "spec": _inputs_node(
                    {"recipes": dumped["indicators"], "files": indicator_files(study)},
                    code["indicators"],
                ),
            },
            produces={"out": indicators_path},
        )
    )

    products = steps.model_outputs(study)
    analysis_products = analysis_outputs(study)
    report_spec = ("study", "tables", "variables", "indicators")
    for name, step, keys, outputs_of_step in (
        ("models", steps.fit_models, ("weights", "diagnostics", "models"), products),
        ("analyses", run_analyses, ("models", "analyses", "robustness"), analysis_products),
    ):
        spec = {k: dumped[k] for k in (*report_spec, *keys)}
        tasks.append(
            _task(
                name,
                _report_step(study, step),
                depends_on={
                    "indicators": indicators_path,
                    "spec": _inputs_node(spec, code["models"]),
                },
                produces={"products": outputs_of_step},
            )
        )

    reports = {**products, **analysis_products}
    index_path = study.reports_dir / "index.html"

    def index(reports, language, index) -> None:
        report.write_index(study.reports_dir, lang=language)

    tasks.append(
        _task(
            "index",
            index,
            depends_on={
                "reports": reports,
                "language": PythonNode(value=study.spec.study.language, hash=True),
            },
            produces={"index": index_path},
        )
    )

    manifest_inputs = {
        "study": study.path,
        **{f"raw:{s.name}": study.raw_dir / s.file for s in study.spec.sources},
    }
    outputs = {
        "clusterdx.tasks.steps.assemble_panel": {"panel": panel_path, "audit": audit_path},
        "clusterdx.tasks.steps.build_indicators": {"indicators": indicators_path},
        "clusterdx.tasks.steps.fit_models": products,
        "clusterdx.tasks.analyses.run_analyses": analysis_products,
        "clusterdx.report.write_index": {"index": index_path},
    }

    def manifest(inputs, outputs, manifest) -> None:
        write_manifest(study, inputs, outputs, manifest)

    tasks.append(
        _task(
            "manifest",
            manifest,
            depends_on={"inputs": manifest_inputs, "outputs": outputs},
            produces={"manifest": study.reports_dir / "manifest.json"},
        )
    )
    return tasks


def _nodes(tree: Any) -> Any:
    """Paths (in nested dicts) as pytask file nodes; other nodes unchanged."""
    if isinstance(tree, dict):
        return {key: _nodes(value) for key, value in tree.items()}
    if isinstance(tree, Path):
        return PathNode.from_path(tree)
    return tree


def _task(name: str, function, depends_on: dict, produces: dict) -> TaskWithoutPath:
    """A pytask task called ``name`` that runs ``function(**depends_on, **produces)``.

    Tasks are built as objects rather than with pytask's ``@task`` decorator, which registers
    functions in a process-wide list: collecting twice without building would then break the next
    build.
    """
    return TaskWithoutPath(
        name=name, function=function, depends_on=_nodes(depends_on), produces=_nodes(produces)
    )


def _clean_step(study: Study, name: str):
    def clean(raw, spec, table, audit) -> None:
        steps.clean_source(study, name, table, audit)

    return clean


def _report_step(study: Study, step):
    def write_reports(indicators, spec, products) -> None:
        step(study, indicators)

    return write_reports


def run(study: Study, *, force: bool = False, verbose: int = 1) -> pytask.Session:
    """Build the study: run every task whose inputs, spec section or code changed.

    Raises
    ------
    ClusterDXError
        The first data or estimation error raised by a task, with its original message (any other
        exception of a task is re-raised as it is: it is a bug to report).

    Examples
    --------
    A one-source study built twice: the second run finds nothing changed and skips every task.

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from clusterdx.study import Study
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> pd.DataFrame({
    ...     "省份": ["北京", "天津", "北京", "天津"],
    ...     "年份": [2020, 2020, 2021, 2021],
    ...     "GDP": [36102.6, 14083.7, 40269.6, 15695.0],
    ... }).to_csv(root / "gdp.csv", index=False)
    >>> _ = (root / "study.toml").write_text('''
    ... [study]
    ... name = "demo"
    ... years = [2020, 2021]
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
    >>> study = Study.load(root / "study.toml")
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # pytask prints its report
    ...     first = run(study, verbose=0)
    ...     second = run(study, verbose=0)
    >>> {r.outcome.name for r in first.execution_reports}
    {'SUCCESS'}
    >>> {r.outcome.name for r in second.execution_reports}
    {'SKIP_UNCHANGED'}
    >>> pd.read_parquet(study.clean_dir / "panel.parquet").columns.tolist()
    ['region', 'year', 'gdp']
    >>> sorted(p.name for p in study.reports_dir.rglob("*") if p.is_file())
    ['index.html', 'manifest.json']
    >>> tmp.cleanup()
    """
    study.clean_dir.mkdir(parents=True, exist_ok=True)
    session = pytask.build(
        tasks=collect_tasks(study),
        paths=study.root,
        database_url=f"sqlite:///{(study.clean_dir / '.pytask.sqlite3').as_posix()}",
        force=force,
        capture="no",
        show_traceback=False,
        verbose=verbose,
    )
    for outcome in session.execution_reports:
        if outcome.outcome.name == "FAIL" and outcome.exc_info:
            raise outcome.exc_info[1]
    if session.exit_code != 0:
        raise ClusterDXError(
            f"the pipeline failed (pytask exit code {int(session.exit_code)}); see above"
        )
    return session
