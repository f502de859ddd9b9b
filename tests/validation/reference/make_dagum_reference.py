"""Write ``dagum_obbalx.json``: the Dagum (1997) decomposition computed by a peer implementation.

The peer is ``DagumGini`` of https://github.com/ObbaLX/Dagum-Gini (``dagum_gini.py``, commit
2644f67), run on that repository's own ``example.xlsx`` (31 values a year, three groups,
2011-2019). Its net between-group term is Σ_{j<h} p_j p_h |μ_j − μ_h| / μ and its
transvariation is the gross between-group Gini minus that: a different route to Dagum's
G_nb = Σ G_jh D_jh (p_j s_h + p_h s_j), equal to it because d_jh − p_jh = μ_j − μ_h.

The peer code needs pandas < 2 (it indexes Series positionally with ``[0]``); it was run with
Python 3.11.7, pandas 1.5.3 and numpy 1.26.4:

    python -m venv /tmp/old && /tmp/old/bin/pip install pandas==1.5.3 numpy==1.26.4 openpyxl
    /tmp/old/bin/python tests/validation/reference/make_dagum_reference.py <checkout of Dagum-Gini>

Nothing of the peer's code is copied here: it is imported from the checkout given on the
command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def main(checkout: Path) -> None:
    sys.path.insert(0, str(checkout))
    from dagum_gini import DagumGini  # the peer implementation

    data = pd.read_excel(checkout / "example.xlsx", index_col=0)
    results = {}
    for year in sorted(data["year"].unique()):
        part = data.loc[data["year"] == year, ["group", "value"]]
        peer = DagumGini(part)
        g_w, _ = peer.gini_w()
        g_gb, matrix = peer.gini_gb()
        g_nb = peer.gini_nb()
        g_t = peer.gini_t()
        groups = list(matrix.index)
        results[str(year)] = {
            "G": float(g_w + g_gb),
            "G_w": float(g_w),
            "G_gb": float(g_gb),
            "G_nb": float(g_nb),
            "G_t": float(g_t),
            "G_jj": {str(g): float(matrix.loc[g, g]) for g in groups},
            "G_jh": {f"{a}-{b}": float(matrix.loc[a, b]) for a in groups for b in groups if a < b},
        }
    out = {
        "source": "ObbaLX/Dagum-Gini commit 2644f67, dagum_gini.py DagumGini, example.xlsx",
        "versions": {
            "python": sys.version.split()[0],
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "data": {
            "year": data["year"].astype(int).tolist(),
            "group": data["group"].astype(int).tolist(),
            "value": [float(v) for v in data["value"]],
        },
        "results": results,
    }
    target = Path(__file__).with_name("dagum_obbalx.json")
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
