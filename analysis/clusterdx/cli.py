"""The ``clusterdx`` command: ``run`` the study pipeline, ``validate`` the raw data, regenerate the ``demo``.

The command line is parsed by the standard library's ``argparse``: typer (used before 2026-12-03)
took 0.15-0.25 s of every command to import itself and to build its parameter adapters, a third
of an up-to-date ``clusterdx run``. Errors in the study or the data are printed as one line (the
exception's class and message, no traceback) and exit with status 1; a malformed command line
exits with argparse's status 2 and its usage line.
"""

from __future__ import annotations

import argparse
import inspect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console
from rich.markup import escape

from clusterdx.errors import ClusterDXError

if TYPE_CHECKING:
    from clusterdx.study import Study

console = Console(stderr=True, soft_wrap=True)

DEFAULT_STUDY = Path("analysis/study.toml")
DEFAULT_DEMO_SEED = 20241123
LEVELS_HELP = "province | city | county"


class _Exit(Exception):
    """Leave the command with a status (raised by `_fail`, turned into `app`'s return value)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _fail(exc: ClusterDXError) -> NoReturn:
    """Print the error verbatim (escaped: ``[[sources]]`` or ``[study]`` are not rich markup)."""
    console.print(f"[bold red]error:[/] {type(exc).__name__}: {escape(str(exc))}", highlight=False)
    raise _Exit(1)


def run(study: Path = DEFAULT_STUDY, set_: list[str] | None = None, force: bool = False) -> None:
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
    from rich.table import Table

    timings = Table("step", "seconds", title="Steps run", title_justify="left")
    for report in session.execution_reports:
        if report.outcome.name == "SUCCESS":
            start, end = report.task.attributes["duration"]
            timings.add_row(escape(report.task.name.split("::")[-1]), f"{end - start:.2f}")
    console.print(timings)
    console.print(
        f"[green]Done[/]: outputs in {spec.reports_dir}, audit in {spec.clean_dir / 'audit.json'}"
    )


def validate(study: Path = DEFAULT_STUDY, set_: list[str] | None = None) -> None:
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


def demo(out: Path | None = None, seed: int = DEFAULT_DEMO_SEED, level: str = "province") -> None:
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


def _help_text(doc: str | None) -> str:
    """A docstring as help text: dedented, without reST's double backquotes."""
    return inspect.cleandoc(doc or "").replace("``", "")


def _first_line(doc: str | None) -> str:
    return _help_text(doc).split("\n\n")[0].replace("\n", " ")


def _study_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--study",
        "-s",
        type=Path,
        default=DEFAULT_STUDY,
        help=f"Study specification (TOML) [default: {DEFAULT_STUDY}].",
    )
    parser.add_argument(
        "--set",
        dest="set_",
        action="append",
        metavar="KEY=VALUE",
        help="Override one key of the study spec, VALUE in TOML syntax, e.g. "
        "--set study.level='\"county\"' --set study.years='[2015, 2023]' (repeatable).",
    )


def parser() -> argparse.ArgumentParser:
    """The command line's parser: the commands `run`, `validate` and `demo` and their options."""
    main = argparse.ArgumentParser(prog="clusterdx", description=_first_line(__doc__))
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    for name, function in (("run", run), ("validate", validate), ("demo", demo)):
        command = commands.add_parser(
            name,
            help=_first_line(function.__doc__),
            description=_help_text(function.__doc__),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name != "demo":
            _study_options(command)
    run_parser, demo_parser = commands.choices["run"], commands.choices["demo"]
    run_parser.add_argument(
        "--force", action="store_true", help="Rebuild every step even if nothing changed."
    )
    demo_parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="Folder for the raw files [default: data_raw/demo, or data_raw/demo_<level>].",
    )
    demo_parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_DEMO_SEED,
        help=f"Seed of the data-generating process [default: {DEFAULT_DEMO_SEED}].",
    )
    demo_parser.add_argument(
        "--level",
        default="province",
        help=f"Territorial level: {LEVELS_HELP} [default: province].",
    )
    return main


def app(argv: Sequence[str] | None = None) -> int:
    """Run the command line (``argv`` without the program name; default ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 1 for an error in the study or the data (printed,
    without a traceback). A malformed command line exits with status 2 (``SystemExit``).
    """
    command_line = parser()
    args = command_line.parse_args(argv)
    options = {key: value for key, value in vars(args).items() if key != "command"}
    command = {"run": run, "validate": validate, "demo": demo}.get(args.command)
    if command is None:
        command_line.print_help()
        return 0
    try:
        command(**options)
    except _Exit as stop:
        return stop.code
    return 0
