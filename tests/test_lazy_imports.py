"""``import clusterdx``, the study spec, ``clusterdx --help``, ``validate`` and the pipeline's
collection import no estimator, plotting or Word library (issue 19: the command line starts fast).

Each case runs in a fresh interpreter and lists the heavy modules left in ``sys.modules``; the
timings themselves are benchmarks (``benchmarks/bench_startup.py``), not tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import clusterdx

from .conftest import REPO, one_source_study_in

#: Imported by the estimators, figures and Word tables only.
HEAVY = ("matplotlib", "seaborn", "linearmodels", "statsmodels", "esda", "pyfixest", "docx")
#: Also absent while the pipeline is collected (the weights, tests and table writers).
COLLECTION_HEAVY = (*HEAVY, "libpysal", "scipy.stats", "openpyxl", "pandera", "geopandas")
#: Also absent from ``validate`` on the demo: its contiguity weights come from the registry's
#: adjacency lists (no libpysal ``W``), its panel conforms (no pandera), the entropy weights need
#: no scipy.special.
VALIDATE_HEAVY = (*HEAVY, "libpysal", "scipy.stats", "scipy.special", "pandera", "geopandas")

PROBE = """
import json, sys
{code}
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(code: str) -> set[str]:
    """The modules imported after running ``code`` in a fresh interpreter at the repository root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(clusterdx.__file__).parents[1]), env.get("PYTHONPATH")])
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def _heavy(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in loaded]


@pytest.mark.parametrize(
    "code",
    [
        "import clusterdx",
        "import clusterdx.study",
        "import clusterdx.cli",
        "import clusterdx.options.panel, clusterdx.options.spatial",
        "from clusterdx.study import Study; Study.load('analysis/study.toml')",
    ],
)
def test_the_package_and_the_spec_import_no_heavy_library(code):
    assert _heavy(_loaded(code), COLLECTION_HEAVY) == []


#: ``cli(args) -> (status, printed)`` in a child process (tests/conftest.py's ``invoke`` imports pandas)
_CLI = (
    "import contextlib, io\nfrom clusterdx.cli import app\n"
    "def cli(args):\n"
    "    out = io.StringIO()\n"
    "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
    "        code = app(args)\n"
    "    return code, out.getvalue()\n"
)


def test_help_imports_no_heavy_library():
    code = (
        "import contextlib, io\nfrom clusterdx.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        app(['--help'])\n    except SystemExit as stop:\n"
        "        assert stop.code == 0"
    )
    assert _heavy(_loaded(code), COLLECTION_HEAVY) == []


def test_validate_imports_no_estimator_or_plotting_library():
    code = _CLI + "assert cli(['validate'])[0] == 0\n"
    assert _heavy(_loaded(code), VALIDATE_HEAVY) == []


def test_collecting_the_pipeline_imports_no_step_library():
    """What an up-to-date ``clusterdx run`` does besides pytask's check: load the spec, hash each
    step's code and declare the tasks (the step bodies, which import the rest, do not run)."""
    code = (
        "from clusterdx.study import Study\nfrom clusterdx.tasks.pipeline import collect_tasks\n"
        "assert len(collect_tasks(Study.load('analysis/study.toml'))) > 6"
    )
    assert _heavy(_loaded(code), COLLECTION_HEAVY) == []


def test_an_up_to_date_run_and_validate_import_neither_pytask_nor_pandas(tmp_path):
    """The build stamp (`clusterdx.tasks.stamp`) answers before pytask (SQLAlchemy) is imported,
    and ``validate`` of the built study reports the build's audit without reading raw files."""
    from clusterdx.tasks.pipeline import run

    run(one_source_study_in(tmp_path), verbose=0)
    spec = str(tmp_path / "study.toml")
    code = _CLI + (
        f"code, out = cli(['run', '--study', {spec!r}])\n"
        "assert code == 0 and 'up to date' in out, out\n"
        f"code, out = cli(['validate', '--study', {spec!r}])\n"
        "assert code == 0 and 'Valid' in out, out\n"
    )
    loaded = _loaded(code)
    assert _heavy(loaded, (*COLLECTION_HEAVY, "pytask", "sqlalchemy", "pandas")) == []
