"""Tests of clusterdx.paneldata.frame: PanelFrame validation, the cube, and one door for all models."""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest

from clusterdx import panel as cdx_panel
from clusterdx import spatial
from clusterdx.errors import OptionError, PanelError
from clusterdx.paneldata import PanelFrame
from clusterdx.paneldata.frame import as_frame
from clusterdx.spatial._simulate import simulate_panel


@pytest.fixture
def long() -> pd.DataFrame:
    """4 regions x 3 years, rows shuffled, text region codes."""
    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product([["r2", "r0", "r1", "r3"], [2020, 2018, 2019]])
    frame = index.to_frame(index=False, name=["region", "year"])
    frame["y"] = rng.normal(size=len(frame))
    frame["x"] = rng.normal(size=len(frame))
    frame["n"] = rng.integers(0, 5, len(frame))
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_frame_is_sorted_with_codes_and_counts(long):
    pf = PanelFrame(long, ["y", "x", "n"], "region", "year")
    assert pf.entities.tolist() == ["r0", "r1", "r2", "r3"]
    assert pf.periods.tolist() == [2018, 2019, 2020]
    assert (pf.n_entities, pf.n_periods, pf.nobs, pf.balanced, pf.dropped) == (4, 3, 12, True, 0)
    assert list(pf.data.index[:2]) == [("r0", 2018), ("r0", 2019)]
    assert pf.data.dtypes.eq("float64").all()
    np.testing.assert_array_equal(pf.entity_codes, np.repeat(np.arange(4), 3))
    np.testing.assert_array_equal(pf.time_codes, np.tile(np.arange(3), 4))
    # rows: where each sorted row came from
    np.testing.assert_array_equal(long["y"].to_numpy()[pf.rows], pf.data["y"].to_numpy())


def test_cube_equals_the_long_data(long):
    pf = PanelFrame(long, ["y", "x"], "region", "year")
    cube = pf.cube()
    assert cube.shape == (4, 3, 2)
    for i, ent in enumerate(pf.entities):
        for t, per in enumerate(pf.periods):
            row = long[(long["region"] == ent) & (long["year"] == per)]
            np.testing.assert_array_equal(cube[i, t], row[["y", "x"]].to_numpy()[0])
    np.testing.assert_array_equal(pf.cube(["x"])[:, :, 0], cube[:, :, 1])


def test_text_years_are_converted_and_sorted_by_value(long):
    text = long.assign(year=long["year"].astype(str))
    pf = PanelFrame(text, ["y"], "region", "year")
    assert pf.periods.tolist() == [2018, 2019, 2020]
    np.testing.assert_array_equal(pf.cube(), PanelFrame(long, ["y"], "region", "year").cube())


def test_missing_values_are_named_or_dropped(long):
    holed = long.copy()
    row = holed.index[(holed["region"] == "r1") & (holed["year"] == 2019)][0]
    holed.loc[row, "x"] = np.inf
    with pytest.raises(
        PanelError,
        match=rf"^column 'x' is missing or infinite in 1 rows, first \[{row}\] \(index labels\), "
        r"the first at \(region='r1', year=2019\); 1 rows in all .* missing='drop'",
    ):
        PanelFrame(holed, ["y", "x"], "region", "year")
    with pytest.raises(PanelError, match=r"Impute them and keep every entity in every period"):
        PanelFrame(holed, ["y", "x"], "region", "year", balanced=True)
    pf = PanelFrame(holed, ["y", "x"], "region", "year", missing="drop")
    assert (pf.dropped, pf.nobs, pf.balanced) == (1, 11, False)
    assert pf.missing_pairs() == [("r1", 2019)]
    with pytest.raises(
        PanelError,
        match=r"^the panel is unbalanced: 1 \(entity, time\) pairs are missing: \('r1', 2019\) "
        r"\(1 in all\); this model needs a balanced panel",
    ):
        pf.cube()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="region"), r"^entity column 'region' is not in the panel"),
        (lambda f: f.drop(columns="x"), r"^column 'x' is not in the panel; columns: \["),
        (lambda f: f.assign(x=f["x"].astype(str)), r"^column 'x' has dtype .*, not numeric"),
        (lambda f: f.assign(x=f["x"] > 0), r"^column 'x' has dtype bool, not numeric"),
        (
            lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True),
            r"^the panel has 2 rows sharing an \(region, year\) pair, first \[\('r",
        ),
        (lambda f: f.assign(year=f["year"].where(f.index != 3)), r"missing in rows \[3\]"),
        (
            lambda f: f.assign(year=f["year"].astype(str) + "年"),
            r"^time column 'year' has values that are not numbers or dates, e.g. \['2018年'",
        ),
    ],
)
def test_malformed_panels_are_refused_with_the_fix(long, change, message):
    with pytest.raises(PanelError, match=message):
        PanelFrame(change(long), ["y", "x"], "region", "year")


def test_unknown_missing_option_lists_the_allowed_values(long):
    with pytest.raises(OptionError, match=r"missing='keep' is not allowed; use one of \['raise'"):
        PanelFrame(long, ["y"], "region", "year", missing="keep")


def test_select_and_assign_hand_the_frame_on(long):
    pf = PanelFrame(long, ["y", "x"], "region", "year", extra=["n"])
    assert list(pf.select(["x"], ["n"]).columns) == ["x", "n"]
    with pytest.raises(PanelError, match=r"columns \['z'\] are not in the validated panel"):
        pf.select(["z"])
    both = pf.assign(xy=pf.data["x"].to_numpy() * pf.data["y"].to_numpy())
    assert both.columns == ["y", "x", "xy"] and pf.columns == ["y", "x"]
    np.testing.assert_array_equal(both.data["xy"], pf.data["x"] * pf.data["y"])


def test_panel_fit_uses_a_frame_as_given(long):
    direct = cdx_panel.fit(
        long, "y ~ x", entity="region", time="year", model="fe", effects="twoways"
    )
    pf = PanelFrame(long, ["y", "x"], "region", "year")
    handed = cdx_panel.fit(pf, "y ~ x", entity="region", time="year", model="fe", effects="twoways")
    pd.testing.assert_series_equal(direct.params, handed.params)
    pd.testing.assert_series_equal(direct.bse, handed.bse)
    with pytest.raises(PanelError, match=r"differ from the keys the PanelFrame was built with"):
        cdx_panel.fit(pf, "y ~ x", entity="year", time="region")


def test_as_frame_validates_a_dataframe_and_hands_a_frame_on(long):
    built = as_frame(long, ["y", "x"], "region", "year", extra=["n"])
    pd.testing.assert_frame_equal(
        built.data, PanelFrame(long, ["y", "x"], "region", "year", extra=["n"]).data
    )
    assert as_frame(built, ["x"], "region", "year", extra=["n"]) is built
    with pytest.raises(PanelError, match=r"entity='year', time='region' differ from the keys"):
        as_frame(built, ["y"], "year", "region")
    with pytest.raises(PanelError, match=r"columns \['z'\] are not in the validated panel"):
        as_frame(built, ["y", "z"], "region", "year")
    gapped = PanelFrame(long.iloc[1:], ["y"], "region", "year")
    assert as_frame(gapped, ["y"], "region", "year") is gapped
    with pytest.raises(PanelError, match=r"the panel is unbalanced: 1 \(entity, time\) pairs"):
        as_frame(gapped, ["y"], "region", "year", balanced=True)


# --------------------------------------------------------------------- one door for every model
@pytest.fixture
def sar_data():
    w = libpysal.weights.lat2W(4, 4)
    w.transform = "r"
    return w, simulate_panel(w.sparse, 4, beta=[1.0, -0.5], rho=0.3, seed=2)


def _both(frame: pd.DataFrame, w) -> list[PanelError]:
    """The errors of panel.fit and spatial.fit (SAR) on the same long panel."""
    errors = []
    for call in (
        lambda: cdx_panel.fit(frame, "y ~ x1 + x2", entity="entity", time="time", model="fe"),
        lambda: spatial.fit(
            frame, y="y", x=["x1", "x2"], w=w, entity="entity", time="time", model="sar"
        ),
    ):
        with pytest.raises(PanelError) as info:
            call()
        errors.append(info.value)
    return errors


def test_nan_in_y_is_the_same_panel_error_for_panel_and_spatial(sar_data):
    w, frame = sar_data
    frame = frame.copy()
    row = frame.index[(frame["entity"] == 5) & (frame["time"] == 2)][0]
    frame.loc[row, "y"] = np.nan
    linear, spatial_error = _both(frame, w)
    head = (
        f"column 'y' is missing or infinite in 1 rows, first [{row}] (index labels), the first "
        "at (entity=5, time=2); 1 rows in all have a missing used variable."
    )
    assert str(linear).startswith(head) and str(spatial_error).startswith(head)
    assert type(linear) is type(spatial_error) is PanelError


@pytest.mark.parametrize(
    "change",
    [
        lambda f: pd.concat([f, f.iloc[[3]]], ignore_index=True),
        lambda f: f.assign(x1=f["x1"].astype(str)),
        lambda f: f.rename(columns={"time": "period"}),
    ],
)
def test_malformed_panels_give_one_message_for_panel_and_spatial(sar_data, change):
    w, frame = sar_data
    linear, spatial_error = _both(change(frame), w)
    assert str(linear) == str(spatial_error)


def test_diagnostics_accept_the_weights_spatial_fit_accepts(sar_data):
    # a (matrix, ids) pair, in another id order, gives the statistics of the libpysal W
    w, frame = sar_data
    dense = w.full()[0]
    flip = np.arange(16)[::-1]
    pair = (dense[np.ix_(flip, flip)], [w.id_order[j] for j in flip])
    for by_w, by_pair in [
        (
            spatial.lm_tests(frame, "y", ["x1", "x2"], w, "entity", "time", "twoways"),
            spatial.lm_tests(frame, "y", ["x1", "x2"], pair, "entity", "time", "twoways"),
        ),
        (
            spatial.moran_by_year(frame, "y", w, "entity", "time", permutations=0),
            spatial.moran_by_year(frame, "y", pair, "entity", "time", permutations=0),
        ),
    ]:
        pd.testing.assert_frame_equal(by_w, by_pair, check_exact=False, rtol=1e-12)
    # the same W summed in another order: rho agrees to the search's tolerance (RHO_XATOL, √ε)
    from clusterdx.spatial.models import RHO_XATOL

    fitted = spatial.fit(
        frame, y="y", x=["x1", "x2"], w=pair, entity="entity", time="time", model="sar"
    )
    assert fitted.rho == pytest.approx(
        spatial.fit(
            frame, y="y", x=["x1", "x2"], w=w, entity="entity", time="time", model="sar"
        ).rho,
        abs=10 * RHO_XATOL,
    )
    # ids that differ from the entities only in type are matched as strings, by every consumer
    named = frame.assign(entity=frame["entity"].astype(str))
    assert spatial.fit(
        named, y="y", x=["x1", "x2"], w=w, entity="entity", time="time", model="sar"
    ).rho == (pytest.approx(fitted.rho, abs=10 * RHO_XATOL))
    np.testing.assert_allclose(
        spatial.lm_tests(named, "y", ["x1", "x2"], w, "entity", "time")["statistic"],
        spatial.lm_tests(frame, "y", ["x1", "x2"], w, "entity", "time")["statistic"],
        rtol=1e-10,
    )
