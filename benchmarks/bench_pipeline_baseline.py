"""`clusterdx run` end to end, this checkout against an earlier revision, in the same run.

Run by hand (a git checkout is needed; about 10 minutes at county level with the default revision)::

    python benchmarks/bench_pipeline_baseline.py [--rev ef3463f] [--level county] [--repeats 3]

Issue 19 set "county pipeline ≤ 15 s (from ~26 s)", times measured on another machine: the same code
runs several times slower or faster from one machine (or hour) to the next. This script measures
the ratio instead, on one machine in one run: the default ``--rev`` is ef3463f, the last commit
before the work on issue 19, so the target reads "this checkout / ef3463f ≤ 15 / 26 = 0.58".

Each revision runs its own code (``PYTHONPATH=<worktree>/analysis``, a detached ``git worktree``
of the revision in a temporary folder; this checkout's files as they are, committed or not) on its
own demo (its ``clusterdx demo --level``, not timed), with its own default study
(``analysis/study.toml``), through its command line: ``clusterdx run --force`` in a fresh
interpreter, pytask's bookkeeping, imports and numba's compilations included. The two revisions
alternate, ``--repeats`` times each, after one untimed import of each revision's pipeline module
(bytecode caches written, as an installed package has them). Printed: every run's wall time, the
medians and their ratio.

The revision's default study may do less than this checkout's (the study grew with later issues):
the ratio then flatters the revision. Revisions before 2026-12-02 stop at county level on the
"剔除直辖市" robustness variant (province codes are not counties there); for them the worktree's
``study.toml`` gets the four municipalities' county codes, the same regions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ISSUE_19_PARENT = "ef3463f"
TARGET_RATIO = 15 / 26
MUNICIPALITIES = (110000, 120000, 310000, 500000)


def _env(checkout: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(checkout / "analysis")
    return env


def _cli(checkout: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from clusterdx.cli import app; sys.exit(app())"]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=_env(checkout), capture_output=True, text=True, check=False
    )


def _county_codes_for_old_spec(checkout: Path) -> None:
    """Give an old revision's 剔除直辖市 variant the municipalities' county codes (see above)."""
    if "def dropped_regions" in (checkout / "analysis/clusterdx/tasks/checks.py").read_text(
        "utf-8"
    ):
        return
    from clusterdx import regions

    table = regions.counties()
    codes = table.loc[table["province_code"].isin(MUNICIPALITIES), "code"].tolist()
    study = checkout / "analysis" / "study.toml"
    text = study.read_text(encoding="utf-8")
    listed = ", ".join(str(c) for c in MUNICIPALITIES)
    study.write_text(
        text.replace(f"drop_entities = [{listed}]", f"drop_entities = {codes}"), encoding="utf-8"
    )


def prepare(checkout: Path, level: str, folder: Path) -> list[str]:
    """Generate the revision's demo in ``folder``; the ``clusterdx run`` arguments that build it."""
    folder.mkdir(parents=True, exist_ok=True)
    done = _cli(checkout, "demo", "--level", level, "--out", str(folder / "raw"), cwd=checkout)
    if done.returncode:
        raise SystemExit(f"{checkout}: clusterdx demo failed:\n{done.stderr}")
    if level == "county":
        _county_codes_for_old_spec(checkout)
    subprocess.run(
        [sys.executable, "-c", "import clusterdx.tasks.pipeline"], env=_env(checkout), check=True
    )
    sets = {
        "study.level": f'"{level}"',
        "paths.root": f'"{folder.as_posix()}"',
        "paths.raw": '"raw"',
        "paths.clean": '"clean"',
        "paths.reports": '"reports"',
    }
    args = ["run", "--force", "--study", str(checkout / "analysis" / "study.toml")]
    for key, value in sets.items():
        args += ["--set", f"{key}={value}"]
    return args


def timed_run(checkout: Path, args: list[str]) -> float:
    start = time.perf_counter()
    done = _cli(checkout, *args, cwd=checkout)
    seconds = time.perf_counter() - start
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        raise SystemExit(f"{checkout}: clusterdx run failed:\n{tail}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=ISSUE_19_PARENT, help="revision to compare against")
    parser.add_argument("--level", default="county", choices=["county", "city", "province"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clusterdx_baseline_"))
    worktree = work / "rev"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(worktree), args.rev],
        check=True,
    )
    try:
        label = args.rev
        runs = {
            "this checkout": (REPO, prepare(REPO, args.level, work / "head")),
            label: (worktree, prepare(worktree, args.level, work / "base")),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for repeat in range(args.repeats):
            for name, (checkout, run_args) in runs.items():
                seconds = timed_run(checkout, run_args)
                times[name].append(seconds)
                print(f"run {repeat + 1}: {name:<16} {seconds:7.2f} s", flush=True)
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False
        )
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"\nclusterdx run --force, {args.level} demo, medians of {args.repeats}:")
    for name, median in medians.items():
        print(f"  {name:<16} {median:7.2f} s")
    ratio = medians["this checkout"] / medians[label]
    print(
        f"  ratio this checkout / {label}: {ratio:.2f} (issue 19's target: <= {TARGET_RATIO:.2f})"
    )


if __name__ == "__main__":
    main()
