"""The ``clusterdx`` command: ``run`` the study pipeline, ``validate`` the raw data, regenerate the ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clusterdx.errors import ClusterDXError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True, soft_wrap=True)

StudyOption = Annotated[Path, typer.Option("--study", "-s", help="Study specification (TOML).")]


def _fail(exc: ClusterDXError) -> None:
    console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc}", highlight=False)
    raise typer.Exit(code=1)


@app.command()
def run(
    study: StudyOption = Path("analysis/study.toml"),
    force: Annotated[
        bool, typer.Option(help="Rebuild every step even if nothing changed.")
    ] = False,
) -> None:
    """Build the whole study: raw → clean → indicators → models → reports/ (only what changed)."""
    from clusterdx.study import Study
    from clusterdx.tasks.pipeline import run as run_pipeline

    try:
        spec = Study.load(study)
        session = run_pipeline(spec, force=force)
    except ClusterDXError as exc:
        _fail(exc)
    outcomes = [str(r.outcome) for r in session.execution_reports]
    if outcomes and all("SKIP_UNCHANGED" in o for o in outcomes):
        console.print("[green]Everything is up to date[/]: no input, spec section or code changed.")
    else:
        console.print(
            f"[green]Done[/]: outputs in {spec.reports_dir}, audit in {spec.clean_dir / 'audit.json'}"
        )


@app.command()
def validate(study: StudyOption = Path("analysis/study.toml")) -> None:
    """Check the study spec and every raw file (encodings, columns, cells, keys, units); write nothing."""
    from clusterdx.data.panel import build_clean
    from clusterdx.study import Study

    try:
        clean = build_clean(Study.load(study))
    except ClusterDXError as exc:
        _fail(exc)
    summary = clean.audit.to_dict()
    for name, entry in summary["files"].items():
        console.print(
            f"{name}: read {entry['rows_read']}, kept {entry['rows_kept']}, dropped {entry['rows_dropped']}"
            f" {entry['dropped_by_reason'] or ''} changed cells {entry['cells_changed_by_action'] or 0}",
            highlight=False,
        )
    console.print(f"[green]Valid[/]: panel of {len(clean.panel)} region-years.")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo raw files.")] = Path(
        "data_raw/demo"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the data-generating process.")] = 20241123,
) -> None:
    """Regenerate the bundled demo raw data (deterministic: same seed, same bytes)."""
    from clusterdx.data.demo import write_demo

    for path in write_demo(out, seed=seed):
        console.print(f"wrote {path}")
