"""Write ``esda_moran_local.json``: esda's ``Moran_Local`` on four weights matrices and three seeds.

The reference of `clusterdx.spatial.local_moran` (its permutation test follows esda's algorithm
step for step and must give the same statistics, pseudo p-values and quadrants, exactly). Each
case stores its inputs (the values and the row-standardised matrix esda works with, as CSR
arrays) and esda's outputs ``Is``, ``q`` and ``p_sim`` with 999 permutations and the seed; floats
are written with ``repr`` so they read back bit for bit. Run from the repository root:

    .venv/bin/python tests/validation/reference/make_esda_local_moran.py

(esda's numba kernel compiles on the first call, about 20 CPU seconds.) Only the provinces'
contiguity comes from clusterdx (an input); every expected number is esda's.
"""

from __future__ import annotations

import json
import platform
import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np

from clusterdx import regions, weights

OUT = Path(__file__).with_name("esda_moran_local.json")
PERMUTATIONS = 999
SEEDS = (0, 1, 12345)


def _row_standardised(w):
    w.transform = "r"
    return w


def _copy(w):
    return libpysal.weights.W(
        dict(w.neighbors), dict(w.weights), id_order=list(w.id_order), silence_warnings=True
    )


CASES = {
    "lattice 6x6 rook": lambda: _row_standardised(libpysal.weights.lat2W(6, 6)),
    "lattice 9x9 queen": lambda: _row_standardised(libpysal.weights.lat2W(9, 9, rook=False)),
    "columbus": lambda: _row_standardised(
        libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    ),
    "provinces queen": lambda: weights.contiguity(regions.provinces(), rule="queen"),
}


def main() -> None:
    cases = []
    for name, build in CASES.items():
        for seed in SEEDS:
            w = build()
            values = np.random.default_rng(seed).normal(size=w.n) + np.arange(w.n) / w.n
            given = _row_standardised(_copy(w)).sparse.tocsr()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                peer = esda.Moran_Local(values, _copy(w), permutations=PERMUTATIONS, seed=seed)
            cases.append(
                {
                    "case": name,
                    "seed": seed,
                    "values": values.tolist(),
                    "w_indptr": given.indptr.tolist(),
                    "w_indices": given.indices.tolist(),
                    "w_data": given.data.tolist(),
                    "Is": np.asarray(peer.Is).tolist(),
                    "q": np.asarray(peer.q).tolist(),
                    "p_sim": np.asarray(peer.p_sim).tolist(),
                }
            )
    provenance = {
        "producer": f"esda {esda.__version__} Moran_Local (libpysal {libpysal.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()})",
        "permutations": PERMUTATIONS,
        "script": "tests/validation/reference/make_esda_local_moran.py",
    }
    OUT.write_text(json.dumps({"provenance": provenance, "cases": cases}) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
