"""The study pipeline as pytask tasks with declared inputs and products.

    raw file ──clean:<source>──► data_clean/sources/<source>.parquet (+ .audit.json)   one task per source
    sources  ──panel──────────► data_clean/panel.parquet, data_clean/audit.json
    panel    ──indicators─────► data_clean/indicators.parquet (+ cluster_panel.parquet: cluster registry)
    indicators ──spatial──────► data_clean/spatial/<weights>.npz (+ map_shapes.parquet: LISA maps)
    indicators, spatial ──models───► reports/tables/*, reports/figures/*   ([[models]], [diagnostics])
    indicators, spatial ──analyses─► reports/tables/*, reports/figures/*   ([[analyses]], [robustness])
    reports    ──index────────► reports/index.html
    all of it ──manifest──────► reports/manifest.json

pytask (https://pytask-dev.readthedocs.io) records the state of every input, product and task source
in ``data_clean/.pytask.sqlite3``: a second run with nothing changed skips every task, and a changed raw
file reruns its ``clean`` task and what depends on it. Each task also depends on a hash of the part of
``study.toml`` it reads, so editing the model list does not re-read the raw files.

Around pytask, `run` adds what a shared project folder needs:

- only the tasks built here run: pytask collects nothing from the file system, so a ``task_*.py``
  lying anywhere under the project is never imported;
- a lock (``data_clean/.clusterdx.lock``, ``flock`` / ``msvcrt``, released by the OS if the process
  dies) makes a second run on the same tree exit with a message instead of racing the first;
- pytask tracks files by modification time, so every output's SHA-256 is recorded after a run
  (``data_clean/.clusterdx.hashes.json``) and a file whose content no longer matches (edited, even
  with its mtime restored) is deleted and rebuilt, with a message;
- files in ``data_clean/sources/``, ``data_clean/spatial/``, ``reports/tables/`` and
  ``reports/figures/`` that no step of the current spec declares (left by a removed source, weights
  matrix, model or analysis) are deleted and listed;
  ``index.html`` shows the declared outputs only, so a ``--force`` rebuild equals a first build;
- after a successful build, a stamp of every file node and of the spec, file fingerprints and
  package code (`clusterdx.tasks.stamp`) lets ``clusterdx run`` recognise an up-to-date study
  without starting pytask.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pytask
import rich
import rich.console
from pytask import Product, PythonNode, task

from clusterdx import report
from clusterdx.errors import ClusterDXError
from clusterdx.study import Study
from clusterdx.tasks import steps
from clusterdx.tasks.analyses import analysis_outputs, run_analyses
from clusterdx.tasks.code import code_hash as files_hash
from clusterdx.tasks.fingerprints import indicator_files, region_inputs, weights_files
from clusterdx.tasks.kinds import KINDS
from clusterdx.tasks.lock import study_lock
from clusterdx.tasks.manifest import sha256, write_manifest
from clusterdx.tasks.spatial_inputs import build_spatial_inputs, spatial_outputs
from clusterdx.tasks.stamp import build_key, discard_stamp, output_folders, write_stamp

HASHES_NAME = ".clusterdx.hashes.json"


def _hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _spec_node(payload: Any) -> PythonNode:
    return PythonNode(value=_hash(payload), hash=True)


#: The functions each step runs: the package files they reach are hashed into the step's inputs, so
#: an edit of one reruns the step (pytask itself only tracks the task function's source). The models
#: step and the analyses step share one hash, which covers the runners of the registered analysis
#: kinds (`clusterdx.tasks.kinds`, looked up by name at run time). `clusterdx.tasks.code` derives
#: the files.
STEP_FUNCTIONS = {
    "clean": (steps.clean_source,),
    "panel": (steps.assemble_panel,),
    "indicators": (steps.build_indicators,),
    "spatial": (build_spatial_inputs,),
    "models": (steps.fit_models, run_analyses),
}


def step_functions(step: str) -> tuple:
    """The functions of `STEP_FUNCTIONS` plus, for the models step, every kind's runner."""
    runners = tuple(kind.resolve() for kind in KINDS.values()) if step == "models" else ()
    return (*STEP_FUNCTIONS[step], *runners)


def code_hash(step: str) -> str:
    """SHA-256 over the package source files that ``step`` runs (`clusterdx.tasks.code`)."""
    return files_hash(step_functions(step))


def _inputs_node(payload: Any, code: str) -> PythonNode:
    """One node for what a step reads besides files: its study-spec section and its package code."""
    return _spec_node({"spec": payload, "code": code})


def source_outputs(study: Study, name: str) -> tuple[Path, Path]:
    """Clean table and audit entry written for one source."""
    folder = study.clean_dir / "sources"
    return folder / f"{name}.parquet", folder / f"{name}.audit.json"


def collect_tasks(study: Study) -> list:
    """The pytask task functions of a study, with their dependencies declared.

    One ``clean:<source>`` task per source, then panel, indicators, spatial (the weights matrices
    and map shapes, `clusterdx.tasks.spatial_inputs`), models, analyses, index and manifest. Creating them registers them with pytask, so hand them to ``pytask.build`` (as `run`
    does) before collecting again in the same process.

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
    >>> [t.pytask_meta.id_ for t in tasks]
    ['clean:gdp', 'panel', 'indicators', 'spatial', 'models', 'analyses', 'index', 'manifest']
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
    code = {step: code_hash(step) for step in STEP_FUNCTIONS}
    meta = {
        "study": dumped["study"],
        "cleaning": dumped["cleaning"],
        "variables": dumped["variables"],
        "regions": region_inputs(study),
    }
    tasks = []
    tables: dict[str, Path] = {}
    audits: dict[str, Path] = {}
    for source, raw in zip(study.spec.sources, dumped["sources"], strict=True):
        table, audit = source_outputs(study, source.name)
        tables[source.name], audits[source.name] = table, audit
        tasks.append(
            _clean_task(
                study,
                source.name,
                study.raw_dir / source.file,
                {"source": raw, **meta},
                code["clean"],
                table,
                audit,
            )
        )

    clean = study.clean_dir
    panel_path, audit_path = clean / "panel.parquet", clean / "audit.json"
    region_year = {
        n: p
        for n, p in tables.items()
        if next(s for s in study.spec.sources if s.name == n).kind == "region_year"
    }
    others = {n: p for n, p in tables.items() if n not in region_year}

    @task(
        id="panel",
        kwargs={
            "tables": tables,
            "audits": audits,
            "spec": _inputs_node(meta, code["panel"]),
            "panel": panel_path,
            "audit": audit_path,
        },
    )
    def task_panel(
        tables: dict[str, Path],
        audits: dict[str, Path],
        spec: str,
        panel: Annotated[Path, Product],
        audit: Annotated[Path, Product],
    ) -> None:
        steps.assemble_panel(study, tables, audits, panel, audit)

    indicators_path = clean / "indicators.parquet"
    cluster_panel = cluster_outputs(study)

    @task(
        id="indicators",
        kwargs={
            "panel": panel_path,
            "others": others,
            "clusters": cluster_panel,
            "spec": _inputs_node(
                {
                    "recipes": dumped["indicators"],
                    "files": indicator_files(study),
                    "regions": meta["regions"],
                },
                code["indicators"],
            ),
            "out": indicators_path,
        },
    )
    def task_indicators(
        panel: Path,
        others: dict[str, Path],
        clusters: Annotated[dict[str, Path], Product],
        spec: str,
        out: Annotated[Path, Product],
    ) -> None:
        steps.build_indicators(study, panel, others, out)

    spatial = spatial_outputs(study)

    @task(
        id="spatial",
        kwargs={
            "indicators": indicators_path,
            "spec": _inputs_node(
                {
                    "study": dumped["study"],
                    "weights": dumped["weights"],
                    "weights_files": weights_files(study),
                    "diagnostics": dumped["diagnostics"],
                    "regions": meta["regions"],
                },
                code["spatial"],
            ),
            "out": spatial,
        },
    )
    def task_spatial(indicators: Path, spec: str, out: Annotated[dict[str, Path], Product]) -> None:
        # ``spatial`` itself: pytask hands an empty dict of products (no weights, no maps) on as a
        # node, not as the dict
        build_spatial_inputs(study, indicators, spatial)

    products = steps.model_outputs(study)
    analysis_products = analysis_outputs(study)
    report_spec = ("study", "tables", "variables", "indicators")
    task_models = _report_task(
        "models",
        steps.fit_models,
        study,
        indicators_path,
        _inputs_node(
            {k: dumped[k] for k in (*report_spec, "weights", "diagnostics", "models")}
            | {"weights_files": weights_files(study), "regions": meta["regions"]},
            code["models"],
        ),
        products,
        cluster_panel | spatial,
    )
    task_analyses = _report_task(
        "analyses",
        run_analyses,
        study,
        indicators_path,
        _inputs_node(
            {
                k: dumped[k]
                for k in (*report_spec, "models", "analyses", "robustness", "spatial_robustness")
            },
            code["models"],
        ),
        products=analysis_products,
        inputs=cluster_panel | spatial,
    )

    reports = {**products, **analysis_products}
    index_path = study.reports_dir / "index.html"
    bundle_paths = {
        fmt: study.reports_dir / f"tables.{fmt}"
        for fmt in ("docx", "tex")
        if any(p.suffix == f".{fmt}" and p.parent.name == "tables" for p in reports.values())
    }

    @task(
        id="index",
        kwargs={
            "reports": reports,
            "language": PythonNode(value=study.spec.study.language, hash=True),
            "index": index_path,
            "bundle": bundle_paths,
        },
    )
    def task_index(
        reports: dict[str, Path],
        language: str,
        index: Annotated[Path, Product],
        bundle: Annotated[dict[str, Path], Product],
    ) -> None:
        report.write_bundle(study.reports_dir, lang=language)
        report.write_index(study.reports_dir, lang=language, files=reports.values())

    manifest_inputs = {
        "study": study.path,
        **{f"raw:{s.name}": study.raw_dir / s.file for s in study.spec.sources},
    }
    outputs = {
        "clusterdx.tasks.steps.assemble_panel": {"panel": panel_path, "audit": audit_path},
        "clusterdx.tasks.steps.build_indicators": {"indicators": indicators_path, **cluster_panel},
        "clusterdx.tasks.spatial_inputs.build_spatial_inputs": spatial,
        "clusterdx.tasks.steps.fit_models": products,
        "clusterdx.tasks.analyses.run_analyses": analysis_products,
        "clusterdx.report.write_index": {"index": index_path, **bundle_paths},
    }

    @task(
        id="manifest",
        kwargs={
            "inputs": manifest_inputs,
            "outputs": outputs,
            "manifest": study.reports_dir / "manifest.json",
        },
    )
    def task_manifest(
        inputs: dict[str, Path],
        outputs: dict[str, dict[str, Path]],
        manifest: Annotated[Path, Product],
    ) -> None:
        write_manifest(study, inputs, outputs, manifest)

    return [
        *tasks,
        task_panel,
        task_indicators,
        task_spatial,
        task_models,
        task_analyses,
        task_index,
        task_manifest,
    ]


def cluster_outputs(study: Study) -> dict[str, Path]:
    """The cluster-year panel the indicators step writes: one file with a cluster registry, else none."""
    return (
        {"cluster_panel": steps.cluster_panel_path(study)}
        if steps.cluster_registries(study)
        else {}
    )


def _report_task(
    name: str,
    step,
    study: Study,
    indicators: Path,
    spec: PythonNode,
    products: dict[str, Path],
    inputs: dict[str, Path],
):
    """A task that runs ``step(study, indicators)`` and writes ``products`` (tables and figures);
    it also depends on ``inputs``, the other files the step reads: the cluster-year panel (read by
    the ``unit = "cluster"`` entries) and the weights matrices and map shapes of the spatial step."""

    @task(
        id=name,
        kwargs={"indicators": indicators, "inputs": inputs, "spec": spec, "products": products},
    )
    def task_report(
        indicators: Path,
        inputs: dict[str, Path],
        spec: str,
        products: Annotated[dict[str, Path], Product],
    ) -> None:
        step(study, indicators)

    return task_report


def _clean_task(
    study: Study, name: str, raw: Path, spec: dict, code: str, table: Path, audit: Path
):
    @task(
        id=f"clean:{name}",
        kwargs={"raw": raw, "spec": _inputs_node(spec, code), "table": table, "audit": audit},
    )
    def task_clean(
        raw: Path, spec: str, table: Annotated[Path, Product], audit: Annotated[Path, Product]
    ) -> None:
        steps.clean_source(study, name, table, audit)

    return task_clean


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
    _writable_folders(study)
    with study_lock(study):
        discard_stamp(study)
        key = build_key(study)
        _report(remove_stale_outputs(study), "removed outputs no current step declares", study)
        _report(
            discard_tampered(study),
            "rebuilding outputs whose content changed since they were written",
            study,
        )
        _report(
            discard_for_changed_raw(study),
            "raw files whose content changed since the last run (re-read)",
            study,
        )
        try:
            session = _build(study, force, verbose)
        finally:
            recorded = record_outputs(study)
        if session.exit_code == 0:
            write_stamp(study, key, session, recorded)
    for outcome in session.execution_reports:
        if outcome.outcome.name == "FAIL" and outcome.exc_info:
            exc = outcome.exc_info[1]
            if isinstance(exc, OSError) and not isinstance(exc, ClusterDXError):
                raise ClusterDXError(
                    f"cannot write {exc.filename}: {exc.strerror}; check the permissions of "
                    "paths.clean and paths.reports"
                ) from exc
            raise exc
    if session.exit_code != 0:
        raise ClusterDXError(
            f"the pipeline failed (pytask exit code {int(session.exit_code)}); see above"
        )
    return session


def _build(study: Study, force: bool, verbose: int) -> pytask.Session:
    # verbose=0 prints nothing (no progress bars or report, e.g. into a notebook cell). In Jupyter
    # rich consoles bypass sys.stdout (they display through IPython, ANSI codes and widgets
    # included), so pytask's console and rich's global one (our progress bars) are silenced too.
    with contextlib.ExitStack() as quiet:
        if verbose == 0:
            quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
            quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
            for console in (pytask.console, rich.get_console()):
                quiet.enter_context(_silenced(console))
        return _pytask_build(study, force, verbose)


@contextmanager
def _silenced(console: rich.console.Console) -> Iterator[None]:
    """A rich console that writes nothing and does not display in Jupyter, for the duration."""
    saved = console.quiet, console.is_jupyter
    console.quiet, console.is_jupyter = True, False
    try:
        yield
    finally:
        console.quiet, console.is_jupyter = saved


def _pytask_build(
    study: Study, force: bool, verbose: int, *, dry_run: bool = False
) -> pytask.Session:
    """pytask's build of the study's own tasks; ``dry_run`` reports what would run (tests)."""
    return pytask.build(
        tasks=collect_tasks(study),
        paths=study.root,
        # Only the tasks passed above run: nothing is collected from the file system, so a
        # ``task_*.py`` dropped anywhere under the project is never imported (pytask skips a path
        # matching an ``ignore`` pattern before walking it; ``task_files`` matches no module).
        ignore=["*"],
        task_files=[],
        database_url=f"sqlite:///{(study.clean_dir / '.pytask.sqlite3').as_posix()}",
        force=force,
        dry_run=dry_run,
        capture="no",
        show_traceback=False,
        verbose=verbose,
    )


def declared_outputs(study: Study) -> list[Path]:
    """Every file the pipeline of ``study`` writes, as declared by its steps (sorted)."""
    clean = study.clean_dir
    files = [p for s in study.spec.sources for p in source_outputs(study, s.name)]
    files += [clean / "panel.parquet", clean / "audit.json", clean / "indicators.parquet"]
    files += [*cluster_outputs(study).values(), *spatial_outputs(study).values()]
    files += [*steps.model_outputs(study).values(), *analysis_outputs(study).values()]
    files += [study.reports_dir / "index.html", study.reports_dir / "manifest.json"]
    return sorted(files)


def remove_stale_outputs(study: Study) -> list[Path]:
    """Delete the files in ``data_clean/sources``, ``data_clean/spatial``, ``reports/tables`` and
    ``reports/figures`` that no step of the current spec declares; return them (sorted)."""
    declared = set(declared_outputs(study))
    stale = sorted(
        p
        for folder in output_folders(study)
        if folder.is_dir()
        for p in folder.rglob("*")
        if p.is_file() and p not in declared
    )
    for path in stale:
        path.unlink()
    return stale


def _rel(study: Study, path: Path) -> str:
    resolved = path.resolve()
    root = study.root
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def _recorded(study: Study) -> dict[str, str]:
    state = study.clean_dir / HASHES_NAME
    return json.loads(state.read_text(encoding="utf-8")) if state.is_file() else {}


def _raw_inputs(study: Study) -> dict[str, Path]:
    return {s.name: study.raw_dir / s.file for s in study.spec.sources}


def discard_tampered(study: Study) -> list[Path]:
    """Delete the outputs whose content differs from the SHA-256 recorded when they were written,
    so that their step rebuilds them; return them (sorted)."""
    recorded = _recorded(study)
    changed = []
    for path in declared_outputs(study):
        digest = recorded.get(_rel(study, path))
        if digest is not None and path.is_file() and sha256(path) != digest:
            path.unlink()
            changed.append(path)
    return changed


def discard_for_changed_raw(study: Study) -> list[Path]:
    """Delete the clean outputs of the sources whose raw file's content differs from the SHA-256
    recorded at the last run (pytask alone would miss an edit that kept the modification time);
    return those raw files."""
    recorded = _recorded(study)
    changed = []
    for name, raw in _raw_inputs(study).items():
        digest = recorded.get("raw:" + _rel(study, raw))
        if digest is not None and raw.is_file() and sha256(raw) != digest:
            for path in source_outputs(study, name):
                path.unlink(missing_ok=True)
            changed.append(raw)
    return changed


def record_outputs(study: Study) -> dict[Path, str]:
    """Record the SHA-256 of every declared output that exists and of the raw files (read back
    by `discard_tampered` and `discard_for_changed_raw`); return them by path (for the stamp)."""
    outputs = {p: sha256(p) for p in declared_outputs(study) if p.is_file()}
    raw = {p: sha256(p) for p in _raw_inputs(study).values() if p.is_file()}
    hashes = {_rel(study, p): digest for p, digest in outputs.items()}
    hashes |= {"raw:" + _rel(study, p): digest for p, digest in raw.items()}
    (study.clean_dir / HASHES_NAME).write_text(
        json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return outputs | raw


def _writable_folders(study: Study) -> None:
    """Create the output folders, or fail with a message naming the key when they cannot be written."""
    for key, folder in (("paths.clean", study.clean_dir), ("paths.reports", study.reports_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ClusterDXError(
                f"cannot create the {key} folder {folder}: {exc.strerror}; point {key} at a "
                "folder you can write to"
            ) from None
        if not os.access(folder, os.W_OK):
            raise ClusterDXError(
                f"the {key} folder {folder} is not writable; make it writable or point {key} "
                "at a folder you can write to"
            )


def _report(paths: list[Path], why: str, study: Study) -> None:
    if paths:
        listed = "\n".join(f"  {_rel(study, p)}" for p in paths)
        print(f"clusterdx: {why}:\n{listed}", file=sys.stderr)
