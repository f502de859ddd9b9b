"""The spillover-decay figure refuses a variable that is not in the decay table."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdx.errors import ClusterDXError
from clusterdx.report.spillover_figure import decay_figure


def test_unknown_variable_names_the_choices(tmp_path):
    decay = pd.DataFrame(
        {
            "variable": ["gov", "gov"],
            "band_km": [100, 200],
            "est": [0.2, 0.1],
            "lower": [0.1, 0.0],
            "upper": [0.3, 0.2],
        }
    )
    with pytest.raises(
        ClusterDXError, match=r"variable='tech' is not in the decay table; choose one of \['gov'\]"
    ):
        decay_figure(decay, "tech", tmp_path / "f.png")
    assert not (tmp_path / "f.png").exists()
