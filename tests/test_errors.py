"""clusterdx.errors: a bad option of a spatial function is a ClusterDXError (and a ValueError)."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdx import spatial
from clusterdx.errors import ClusterDXError, OptionError, StudySpecError


def test_a_bad_spatial_option_is_caught_as_a_clusterdx_error():
    with pytest.raises(ClusterDXError) as err:
        spatial.fit(
            pd.DataFrame(), y="y", x=["x"], w=None, entity="region", time="year", model="sarr"
        )
    assert isinstance(err.value, OptionError)
    assert isinstance(err.value, StudySpecError) and isinstance(err.value, ValueError)
    assert str(err.value) == (
        "model='sarr' is not allowed; choose one of ['sar', 'sem', 'sdm', 'sac', 'sdem', 'slx']"
    )
