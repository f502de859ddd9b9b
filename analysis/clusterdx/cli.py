"""The ``clusterdx`` command: ``run`` the study pipeline, ``validate`` the raw data, regenerate the ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clusterdx.errors import ClusterDXError

if TYPE_CHECKING:
    from clusterdx.study import Study

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True, soft_wrap=True)

StudyOption = Annotated[Path, typer.Option("--study", "-s", help="Study specification (TOML).")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override one key of the study spec: KEY=VALUE with VALUE in TOML syntax, e.g. "
        "--set study.level='\"county\"' --set study.years='[2015, 2023]' (repeatable).",
    ),
]


def _fail(exc: ClusterDXError) -> None:
    """Print the error verbatim (escaped: ``[[sources]]`` or ``[study]`` are not rich markup)."""
    console.print(f"[bold red]error:[/] {type(exc).__name__}: {escape(str(exc))}", highlight=False)
    raise typer.Exit(code=1)


@app.command()
def run(
    study: StudyOption = Path("analysis/study.toml"),
    set_: SetOption = None,
    force: Annotated[
        bool, typer.Option(help="Rebuild every step even if nothing changed.")
    ] = False,
) -> None:
    """Build the whole study: raw → clean → indicators → models → reports/ (only what changed)."""
    from clusterdx.study import Study
    from clusterdx.tasks.stamp import up_to_date

    up_to_date_message = (
        "[green]Everything is up to date[/]: no input, spec section or code changed."
    )
    try:
        spec = Study.load(study, overrides=set_)
        # the build stamp answers without starting pytask (clusterdx.tasks.stamp)
        if not force and up_to_date(spec) is not None:
            console.print(up_to_date_message)
            return
        from clusterdx.tasks.pipeline import run as run_pipeline

        session = run_pipeline(spec, force=force)
    except ClusterDXError as exc:
        _fail(exc)
    outcomes = [r.outcome.name for r in session.execution_reports]
    if outcomes and all(o == "SKIP_UNCHANGED" for o in outcomes):
        console.print(up_to_date_message)
        return
    timings = Table("step", "seconds", title="Steps run", title_justify="left")
    for report in session.execution_reports:
        if report.outcome.name == "SUCCESS":
            start, end = report.task.attributes["duration"]
            timings.add_row(escape(report.task.name.split("::")[-1]), f"{end - start:.2f}")
    console.print(timings)
    console.print(
        f"[green]Done[/]: outputs in {spec.reports_dir}, audit in {spec.clean_dir / 'audit.json'}"
    )


@app.command()
def validate(study: StudyOption = Path("analysis/study.toml"), set_: SetOption = None) -> None:
    """Check the study spec, every raw file (encodings, columns, cells, keys, units) and every check
    that needs no estimation (indicator recipes on the clean panel, model and analysis variables,
    robustness regions and years, the weights matrices); write nothing.

    When the build stamp says a run of the same spec would change nothing
    (`clusterdx.tasks.stamp.up_to_date`), the raw files, spec and code are those of a successful
    build, whose steps ran every one of these checks: the audit that build wrote is reported and
    nothing is read again."""
    from clusterdx.study import Study
    from clusterdx.tasks.stamp import up_to_date

    try:
        spec = Study.load(study, overrides=set_)
        audit_path = spec.clean_dir / "audit.json"
        if up_to_date(spec) is not None:
            summary = json.loads(audit_path.read_text(encoding="utf-8"))
        else:
            summary = _checked_audit(spec)
    except ClusterDXError as exc:
        _fail(exc)
    for name, entry in sorted(summary["files"].items()):
        reasons = dict(sorted(entry["dropped_by_reason"].items()))
        changed = dict(sorted(entry["cells_changed_by_action"].items()))
        console.print(
            f"{name}: read {entry['rows_read']}, kept {entry['rows_kept']}, dropped {entry['rows_dropped']}"
            f" {reasons or ''} changed cells {changed or 0}",
            highlight=False,
            markup=False,
        )
    panel = summary["tables"]["panel"]
    missing = panel.get("missing_region_years", [])
    if missing:
        console.print(
            f"The panel is unbalanced: {len(missing)} region-year(s) missing (listed in the audit "
            "under tables.panel.missing_region_years); spatial models, Moran's I and the threshold "
            "model need [study].exclude_regions or [cleaning].balance.",
            highlight=False,
            markup=False,
        )
    console.print(f"[green]Valid[/]: panel of {panel['rows']} region-years.")


def _checked_audit(spec: Study) -> dict:
    """Run every check of `validate` on the raw files; the audit of the cleaning, as a dict."""
    from clusterdx.data.panel import build_clean
    from clusterdx.indicators import compute_indicators
    from clusterdx.tasks.checks import check_spec_against_panel
    from clusterdx.tasks.steps import cluster_frame, region_attributes, study_weights_matrix

    clean = build_clean(spec)
    frame = compute_indicators(spec, clean.panel, clean.tables)
    frame = frame.merge(region_attributes(spec, clean.tables), on="region", how="left")
    check_spec_against_panel(spec, frame, cluster_frame(spec, frame, clean.tables))
    for name in spec.spec.weights:
        study_weights_matrix(spec, name, frame)
    return clean.audit.to_dict()


@app.command()
def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the raw files [default: data_raw/demo, or data_raw/demo_<level>]."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the data-generating process.")] = 20241123,
    level: Annotated[
        str, typer.Option(help="Territorial level: province | city | county.")
    ] = "province",
) -> None:
    """Generate the demo raw data at one territorial level (same seed, same bytes)."""
    from clusterdx.data.demo import write_demo
    from clusterdx.regions.source import check_level

    try:
        level = check_level(level)
    except ClusterDXError as exc:
        _fail(exc)
    folder = out or Path("data_raw/demo" if level == "province" else f"data_raw/demo_{level}")
    for path in write_demo(folder, seed=seed, level=level):
        console.print(f"wrote {path}")
    if level != "province":
        console.print(
            "Run the default study on it with:\n  clusterdx run "
            + " ".join(
                f"--set {key}='\"{value}\"'" for key, value in level_overrides(level, folder)
            ),
            highlight=False,
        )


def level_overrides(level: str, raw: Path) -> list[tuple[str, str]]:
    """Study-spec overrides that point the default study at a city or county demo folder."""
    return [
        ("study.level", level),
        ("paths.raw", raw.as_posix()),
        ("paths.clean", f"data_clean/{level}"),
        ("paths.reports", f"reports/{level}"),
    ]
