"""Start-up cost of the command line: ``python benchmarks/bench_startup.py [--run]``.

Each command runs in a fresh interpreter (``subprocess``) from the repository root, ``--repeats``
times (at least 3) after one warm-up (which also fills the OS file cache); medians and minima of
the wall time, the median CPU time of the child (user + system: less sensitive to other processes
on a shared machine), and the target of issue 19 where there is one:

* ``import clusterdx``;
* ``clusterdx --help``;
* ``clusterdx validate`` on the default study (``analysis/study.toml``, the demo data), ≤ 1.5 s,
  as the project stands: after a build its stamp stands for the checks
  (`clusterdx.tasks.stamp`), before one every raw file is read;
* with ``--run``: ``clusterdx run`` when everything is up to date, ≤ 1.5 s (the warm-up run builds
  the study first if needed, which takes minutes; it writes ``data_clean/`` and ``reports/``),
  then ``validate`` of the built study and ``validate`` with the stamp moved aside (every raw
  file read and checked, as on a fresh clone).

``-X importtime`` of one ``validate`` run names the slowest imports (``--imports``). ``--rev REV``
also times ``validate`` with every raw file read in a ``git worktree`` of REV (its own code, study
and bundled demo), alternating with this checkout, and prints the ratio: the targets above were set
on another machine, a ratio in one run is what carries over (``--rev ef3463f``: the code issue 19
was filed on).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from clusterdx.cli import app; sys.exit(app())"]


def _env(root: Path = ROOT) -> dict[str, str]:
    """The environment of the timed commands: the repository's package first on the path, and
    bytecode caches as an installed package has them (pip compiles what it installs; an editable
    install's modules are compiled on first import and cached, unless PYTHONDONTWRITEBYTECODE is
    set, as some containers do: it is unset here, and the warm-up run writes the caches)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(root / "analysis"), env.get("PYTHONPATH")])
    )
    return env


#: Issue 19's acceptance: seconds of wall time (medians).
TARGETS = {
    "clusterdx validate": 1.5,
    "clusterdx validate (built)": 1.5,
    "clusterdx validate (raw read)": 1.5,
    "clusterdx run (up to date)": 1.5,
}
STAMP = ROOT / "data_clean" / ".clusterdx.stamp.json"


@contextmanager
def stamp_aside(hide: bool):
    """Move the build stamp away for the block when ``hide`` (validate then reads every raw file)."""
    if not hide or not STAMP.exists():
        yield
        return
    aside = STAMP.with_name(STAMP.name + ".aside")
    STAMP.rename(aside)
    try:
        yield
    finally:
        aside.rename(STAMP)


def _child_cpu(times: os.times_result) -> float:
    return times.children_user + times.children_system


def timed(command: list[str], repeats: int, root: Path = ROOT) -> tuple[float, float, float]:
    """Median and minimum wall seconds, and median CPU seconds of the child, of ``command`` after
    one warm-up run, in checkout ``root`` (its ``analysis/`` first on the path)."""
    subprocess.run(command, cwd=root, env=_env(root), check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(repeats):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(command, cwd=root, env=_env(root), check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(_child_cpu(after) - _child_cpu(before))
    return statistics.median(walls), min(walls), statistics.median(cpus)


def slowest_imports(command: list[str], top: int = 12) -> list[tuple[float, str]]:
    """The ``top`` largest cumulative import times (seconds) of one run of ``command``."""
    out = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], cwd=ROOT, env=_env(), capture_output=True
    )
    rows = []
    for line in out.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative) / 1e6, name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def compare_with(rev: str, validate: list[str], repeats: int) -> None:
    """``validate`` with every raw file read, this checkout and a ``git worktree`` of ``rev`` (its
    own code, study and bundled demo; it has no build), alternating, ``repeats`` times each."""
    folder = Path(tempfile.mkdtemp(prefix="clusterdx_rev_")) / "rev"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(folder), rev],
                   check=True)  # fmt: skip
    medians: dict[str, list[float]] = {"this checkout": [], rev: []}
    try:
        for _ in range(repeats):
            with stamp_aside(True):
                medians["this checkout"].append(timed(validate, 1)[0])
            medians[rev].append(timed(validate, 1, root=folder)[0])
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
                       check=False)  # fmt: skip
    print(f"\nclusterdx validate (raw read), alternating, medians of {repeats}:")
    for name, walls in medians.items():
        print(f"  {name:<16}{statistics.median(walls):>9.2f}s")
    ratio = statistics.median(medians["this checkout"]) / statistics.median(medians[rev])
    print(f"  ratio this checkout / {rev}: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per command (at least 3)")
    parser.add_argument("--run", action="store_true", help="also time an up-to-date run")
    parser.add_argument("--imports", action="store_true", help="list validate's slowest imports")
    parser.add_argument(
        "--rev",
        help="also time validate (raw read) at this git revision, alternating with this checkout "
        "(e.g. ef3463f, the code issue 19 was filed on)",
    )
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3 (the figures are medians)")
    validate = [*CLI, "validate"]
    cases = {
        "import clusterdx": [sys.executable, "-c", "import clusterdx"],
        "clusterdx --help": [*CLI, "--help"],
    }
    if args.run:
        cases["clusterdx run (up to date)"] = [*CLI, "run"]
        cases["clusterdx validate (built)"] = validate
        cases["clusterdx validate (raw read)"] = validate
    else:
        cases["clusterdx validate"] = validate
    print(f"{'command':<32}{'median':>10}{'min':>10}{'cpu':>10}{'target':>10}")
    for name, command in cases.items():
        with stamp_aside(name.endswith("(raw read)")):
            median, low, cpu = timed(command, args.repeats)
        target = f"≤ {TARGETS[name]:.1f}s" if name in TARGETS else "–"
        print(f"{name:<32}{median:>9.2f}s{low:>9.2f}s{cpu:>9.2f}s{target:>10}")
    if args.rev:
        compare_with(args.rev, validate, args.repeats)
    if args.imports:
        print("\nslowest imports of clusterdx validate (cumulative seconds):")
        for seconds, name in slowest_imports(validate):
            print(f"  {seconds:6.2f}  {name}")


if __name__ == "__main__":
    main()
