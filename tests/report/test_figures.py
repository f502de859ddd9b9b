"""Tests of clusterdx.report.figures: each figure renders, is not blank, shows Chinese without missing
glyphs, and gives the same bytes for the same data; plotted numbers match independent computations.

Moran's I and the local statistics are checked against esda's Moran and the textbook formula
(Anselin 1995) computed here with numpy; confidence intervals against the results' own conf_int.
"""

from __future__ import annotations

import warnings

import esda
import libpysal
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import box

import clusterdx as cdx
from clusterdx.errors import DataError, PanelError, StudySpecError, WeightsError
from clusterdx.report import _plotting, figures
from clusterdx.report._spatial_figures import CHINA_ALBERS


@pytest.fixture(scope="module")
def provinces_w():
    return cdx.weights.contiguity(cdx.regions.provinces(), rule="queen")


@pytest.fixture(scope="module")
def province_panel():
    """31 provinces x 4 years: a north-south gradient (spatially clustered) plus noise."""
    regions = cdx.regions.provinces()
    rng = np.random.default_rng(3)
    rows = []
    for year in range(2020, 2024):
        value = (
            0.02 * (regions["lat"] - 30) + 0.1 * (year - 2020) + rng.normal(0, 0.1, len(regions))
        )
        rows.append(pd.DataFrame({"region": regions["code"], "year": year, "dt": value}))
    return pd.concat(rows, ignore_index=True)


def _render(draw, path):
    """Call ``draw(path)``; return the image array and the warnings raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw(path)
    return fig, mpimg.imread(path), [str(w.message) for w in caught]


def _colours(image) -> set[tuple[int, int, int]]:
    """The distinct (r, g, b) of an image's pixels (0-255): one 24-bit code per pixel, counted by
    ``bincount`` (``np.unique(..., axis=0)`` on the pixel rows took seconds per picture)."""
    rgb = (image[..., :3] * 255).round().astype(np.int64).reshape(-1, 3)
    codes = np.flatnonzero(np.bincount((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]))
    return {(int(c >> 16), int(c >> 8 & 255), int(c & 255)) for c in codes}


def _check_picture(image, caught, *, min_colours=20, ink=(0.02, 0.6)):
    rgb = (image[..., :3] * 255).round().astype(int)
    assert len(_colours(image)) > min_colours
    non_white = float(np.mean(rgb.min(axis=-1) < 245))
    assert ink[0] < non_white < ink[1], non_white
    assert not [m for m in caught if "missing from" in m or "Glyph" in m], caught


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def test_index_trends_and_density_render_chinese(tmp_path, province_panel):
    fig, image, caught = _render(
        lambda p: figures.index_trends(province_panel, "dt", label="数字化转型", path=p),
        tmp_path / "trend.png",
    )
    _check_picture(image, caught)
    assert "东部" in _texts(fig) and "年份" in _texts(fig)
    for kind in ("ridge", "overlay"):
        fig, image, caught = _render(
            lambda p, kind=kind: figures.index_density(
                province_panel, "dt", kind=kind, label="数字化转型", path=p
            ),
            tmp_path / f"kde_{kind}.png",
        )
        _check_picture(image, caught)
        assert "年份" in _texts(fig) and "2023" in _texts(fig)


def test_index_density_curves_are_scipy_kde(province_panel):
    fig = figures.index_density(province_panel, "dt", kind="overlay", years=[2021, 2023])
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["2021", "2023"]
    x, y = lines[1].get_data()
    values = province_panel.loc[province_panel["year"] == 2023, "dt"].to_numpy()
    # Scott's bandwidth h = sd * n^(-1/5) (Scott 1992): the Gaussian KDE written out here
    h = values.std(ddof=1) * len(values) ** (-1 / 5)
    expected = stats.norm.pdf((x[:, None] - values[None, :]) / h).mean(axis=1) / h
    np.testing.assert_allclose(y, expected, rtol=1e-10)


def test_index_density_errors(province_panel):
    with pytest.raises(StudySpecError, match=r"kind='violin' is not one of the allowed values"):
        figures.index_density(province_panel, "dt", kind="violin")
    with pytest.raises(DataError, match=r"years \[1999\] have no non-missing 'dt'"):
        figures.index_density(province_panel, "dt", years=[1999])
    flat = province_panel.assign(dt=1.0)
    with pytest.raises(DataError, match=r"fewer than two distinct values"):
        figures.index_density(flat, "dt")


def test_moran_trend_renders(tmp_path, province_panel, provinces_w):
    moran = cdx.spatial.moran_by_year(
        province_panel, "dt", provinces_w, "region", "year", permutations=0
    )
    fig, image, caught = _render(
        lambda p: figures.moran_trend(moran, label="数字化转型", path=p), tmp_path / "m.png"
    )
    _check_picture(image, caught, min_colours=5, ink=(0.005, 0.5))
    assert "莫兰指数 I" in _texts(fig)


def test_moran_scatter_slope_is_esda_moran_i(tmp_path, province_panel, provinces_w):
    fig, image, caught = _render(
        lambda p: figures.moran_scatter(
            province_panel,
            "dt",
            provinces_w,
            year=2022,
            label="数字化转型",
            point_labels={110000: "北京", 460000: "海南"},
            path=p,
        ),
        tmp_path / "scatter.png",
    )
    _check_picture(image, caught, min_colours=10, ink=(0.01, 0.5))
    values = (
        province_panel[province_panel["year"] == 2022]
        .set_index("region")["dt"]
        .reindex(provinces_w.id_order)
        .to_numpy()
    )
    w = libpysal.weights.W(
        provinces_w.neighbors, provinces_w.weights, id_order=provinces_w.id_order
    )
    reference = esda.Moran(values, w, permutations=0)  # esda 2.x, row-standardised
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_color() == "#d7191c"]
    x, y = line.get_data()
    np.testing.assert_allclose((y[1] - y[0]) / (x[1] - x[0]), reference.I, rtol=1e-10)
    points = ax.collections[0].get_offsets()
    z = (values - values.mean()) / values.std()
    np.testing.assert_allclose(points[:, 0], z, rtol=1e-12)
    assert {"HH", "LH", "LL", "HL", "北京", "海南"} <= set(_texts(fig).split())
    beijing = next(t for t in ax.texts if t.get_text() == "北京")
    np.testing.assert_allclose(beijing.xy, points[provinces_w.id_order.index(110000)])
    assert f"I = {reference.I:.3f}" in ax.get_title() and "2022年" in ax.get_title()


def test_moran_scatter_errors(province_panel, provinces_w):
    short = province_panel[province_panel["region"] != 110000]
    with pytest.raises(PanelError, match=r"missing in year=2023 for W ids \[110000\]"):
        figures.moran_scatter(short, "dt", provinces_w)
    extra = pd.concat(
        [province_panel, pd.DataFrame({"region": [999999], "year": [2023], "dt": [0]})]
    )
    with pytest.raises(WeightsError, match=r"entities \[999999\] of column 'region'"):
        figures.moran_scatter(extra, "dt", provinces_w)
    with pytest.raises(WeightsError, match=r"point_labels names ids \[1\] that are not ids of W"):
        figures.moran_scatter(province_panel, "dt", provinces_w, point_labels={1: "x"})
    with pytest.raises(DataError, match=r"year=1990 is not in column 'year'"):
        figures.moran_scatter(province_panel, "dt", provinces_w, year=1990)
    with pytest.raises(StudySpecError, match=r"must end in one of \['.png', '.pdf'\]"):
        figures.moran_scatter(province_panel, "dt", provinces_w, path="x.jpg")


@pytest.mark.slow
def test_lisa_clusters_match_local_moran_formula(province_panel, provinces_w):
    clusters = figures.lisa_clusters(province_panel, "dt", provinces_w, year=2023, seed=1)
    y = clusters["value"].to_numpy()
    wmat = provinces_w.sparse.toarray()
    wmat = wmat / wmat.sum(axis=1, keepdims=True)
    z = y - y.mean()
    lag = wmat @ z
    # Anselin (1995), eq. 7: I_i = z_i sum_j w_ij z_j / m2, with m2 = sum z^2 / (n - 1) as in
    # esda and GeoDa
    np.testing.assert_allclose(clusters["Ii"], z * lag / (z @ z / (len(z) - 1)), rtol=1e-10)
    quadrant = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    expected = np.where(clusters["p_sim"] < 0.05, quadrant, "ns")
    assert list(clusters["cluster"]) == list(expected)
    assert (clusters["cluster"] != "ns").sum() >= 3  # the gradient makes clusters


@pytest.mark.slow
def test_lisa_map_renders_china_with_inset(tmp_path, province_panel, provinces_w):
    fig, image, caught = _render(
        lambda p: figures.lisa_map(province_panel, "dt", provinces_w, label="数字化转型", path=p),
        tmp_path / "lisa.png",
    )
    _check_picture(image, caught, min_colours=6, ink=(0.1, 0.7))
    text = _texts(fig)
    assert "南海诸岛" in text and "高-高集聚 (HH)" in text and "不显著" in text
    ax = fig.axes[0]
    (inset,) = ax.child_axes  # the South China Sea inset
    corners = inset.get_window_extent().transformed(ax.transData.inverted())
    mainland = (
        cdx.regions.geometry("province", include_sar_taiwan=True)
        .clip(box(73, 17.5, 136, 54))
        .to_crs(CHINA_ALBERS)
    )
    hidden = mainland[mainland.intersects(box(*corners.extents))]
    assert hidden.empty, f"the inset hides part of {list(hidden['code'])}"
    assert "无数据" in text  # Taiwan, Hong Kong and Macao are drawn without data
    present = _colours(image)
    for name in set(figures.lisa_clusters(province_panel, "dt", provinces_w)["cluster"]):
        colour = figures.CLUSTER_COLOURS[name].lstrip("#")
        assert tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) in present, name


def test_lisa_map_rejects_codes_of_another_level(province_panel):
    panel = province_panel.assign(region=province_panel["region"] // 10000)
    ids = sorted(panel["region"].unique())
    w = libpysal.weights.lat2W(1, len(ids))
    w = libpysal.weights.W(
        {ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(len(ids))}, id_order=ids
    )
    with pytest.raises(WeightsError, match=r"are not province codes"):
        figures.lisa_map(panel, "dt", w)


class _Fit:
    """Numbers from a statsmodels OLS fit behind the attributes the plot reads."""

    def __init__(self, fit):
        self.params, self.bse, self._fit = fit.params, fit.bse, fit

    def conf_int(self, alpha=0.05):
        return self._fit.conf_int(alpha=alpha)


def test_coef_plot_intervals_are_the_results_conf_int(tmp_path):
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(80, 3)), columns=["demand", "gov", "tech"])
    y = x @ np.array([0.5, -0.2, 0.1]) + rng.normal(size=80)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    plain = type("Plain", (), {"params": fit.params, "bse": fit.bse})()
    fig, image, caught = _render(
        lambda p: figures.coef_plot(
            {"模型一": _Fit(fit), "模型二": plain},
            labels={"demand": "市场需求", "gov": "政府支持"},
            alpha=0.1,
            path=p,
        ),
        tmp_path / "coef.png",
    )
    _check_picture(image, caught, min_colours=10, ink=(0.01, 0.5))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["市场需求", "政府支持", "tech"]
    first, second = ax.containers
    segments = first.lines[2][0].get_segments()
    bounds = fit.conf_int(alpha=0.1).loc[["demand", "gov", "tech"]].to_numpy()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], bounds, rtol=1e-12)
    z = stats.norm.ppf(0.95)
    segments = second.lines[2][0].get_segments()
    normal = np.column_stack([fit.params - z * fit.bse, fit.params + z * fit.bse])[1:]
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], normal, rtol=1e-12)
    assert "90%置信区间" in ax.get_xlabel()
    with pytest.raises(StudySpecError, match=r"\['nope'\] are in no result"):
        figures.coef_plot([plain], terms=["nope"])


def test_event_study_plot(tmp_path):
    frame = pd.DataFrame(
        {"period": [-3, -2, 0, 1, 2], "estimate": [0.01, -0.02, 0.1, 0.15, 0.2]}
    ).assign(ci_low=lambda d: d["estimate"] - 0.06, ci_high=lambda d: d["estimate"] + 0.06)
    fig, image, caught = _render(
        lambda p: figures.event_study_plot(frame, path=p), tmp_path / "event.png"
    )
    _check_picture(image, caught, min_colours=10, ink=(0.01, 0.5))
    ax = fig.axes[0]
    assert "相对政策实施的期数" in ax.get_xlabel()
    reference = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert reference[0].get_xdata()[0] == -1
    path_line = ax.get_lines()[2]
    np.testing.assert_array_equal(path_line.get_xdata(), [-3, -2, -1, 0, 1, 2])
    np.testing.assert_array_equal(path_line.get_ydata(), [0.01, -0.02, 0.0, 0.1, 0.15, 0.2])
    with pytest.raises(DataError, match=r"lack columns \['ci_high'\]"):
        figures.event_study_plot(frame.drop(columns="ci_high"))
    with pytest.raises(DataError, match=r"in periods \[1.0\] the estimate lies outside"):
        figures.event_study_plot(
            frame.assign(ci_low=frame["ci_low"].where(frame["period"] != 1, 0.9))
        )


def test_mediation_diagram(tmp_path):
    paths = {"a": (0.42, 0.001), "b": (-0.31, 0.03), "c_prime": (0.12, 0.2), "c": (0.25, 0.004)}
    fig, image, caught = _render(
        lambda p: figures.mediation_diagram(
            paths, names=("数字技术", "技术转移", "数字化转型"), path=p
        ),
        tmp_path / "med.png",
    )
    _check_picture(image, caught, min_colours=10, ink=(0.01, 0.5))
    text = _texts(fig)
    for expected in (
        "a = 0.420***",
        "b = -0.310**",
        "c′ = 0.120",
        "总效应 c = 0.250***",
        "技术转移",
    ):
        assert expected in text
    with pytest.raises(StudySpecError, match=r"missing \['b'\], unknown \['d'\]"):
        figures.mediation_diagram({"a": (1, 0.1), "c_prime": (1, 0.1), "d": (1, 0.1)})


@pytest.mark.slow
def test_same_data_same_bytes(tmp_path, province_panel, provinces_w):
    for suffix in (".png", ".pdf"):
        paths = [tmp_path / f"lisa{i}{suffix}" for i in range(2)]
        for path in paths:
            figures.lisa_map(province_panel, "dt", provinces_w, path=path)
        assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes().startswith(b"%PDF")


def test_without_cjk_font_chinese_falls_back_to_english(monkeypatch, tmp_path, province_panel):
    monkeypatch.setattr(_plotting, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match=r"no Chinese \(CJK\) font found.*clusterdx\[cjk\]"):
        fig = figures.index_trends(province_panel, "dt", lang="zh", path=tmp_path / "t.png")
    assert "East" in _texts(fig) and "Year" in _texts(fig)
    with pytest.raises(StudySpecError, match=r"lang='fr' is not one of the allowed values"):
        figures.index_density(province_panel, "dt", lang="fr")


def test_mediation_and_event_study_results_are_read_directly():
    rng = np.random.default_rng(0)
    n, periods = 40, 10
    panel = pd.DataFrame(
        {"region": np.repeat(np.arange(n), periods), "year": np.tile(np.arange(periods), n)}
    )
    panel["x"] = rng.normal(size=len(panel))
    panel["m"] = 0.5 * panel["x"] + rng.normal(size=len(panel))
    panel["y"] = 0.3 * panel["m"] + 0.2 * panel["x"] + rng.normal(size=len(panel))
    med = cdx.panel.mediation(panel, "y", "x", "m", entity="region", time="year", bootstrap=0)
    text = _texts(figures.mediation_diagram(med, lang="en"))
    a = med.table.loc["a (x->m)"]
    assert (
        f"a = {a['estimate']:.3f}" + "*" * sum(a["pvalue"] < v for v in (0.1, 0.05, 0.01)) in text
    )
    direct = med.table.loc["direct c'", "estimate"]
    assert f"c′ = {direct:.3f}" in text
    panel["g"] = np.repeat(np.where(np.arange(n) < 20, 5, 0), periods)
    panel["y2"] = rng.normal(size=len(panel)) + 0.5 * (
        (panel["year"] >= panel["g"]) & (panel["g"] > 0)
    )
    es = cdx.panel.event_study(panel, "y2", "g", entity="region", time="year", leads=3, lags=3)
    ax = figures.event_study_plot(es).axes[0]
    shown = es.coefs[es.coefs["event_time"] != es.ref]
    np.testing.assert_array_equal(ax.get_lines()[2].get_xdata(), es.coefs["event_time"])
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), shown["coef"])


def test_coef_plot_orders_spatial_terms_as_the_tables():
    from clusterdx.spatial._simulate import simulate_panel

    w = libpysal.weights.lat2W(5, 5)
    w.transform = "r"
    panel = simulate_panel(w.sparse, 5, [1.0, -0.5], theta=[0.3, 0.2], rho=0.3, seed=2)
    sdm = cdx.spatial.fit(
        panel, y="y", x=["x1", "x2"], w=w, entity="entity", time="time", model="sdm"
    )
    ax = figures.coef_plot([sdm], labels={"x1": "数字技术"}, lang="zh").axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown == ["数字技术", "x2", "W×数字技术", "W×x2", "ρ"]
    segments = ax.containers[0].lines[2][0].get_segments()
    bounds = sdm.conf_int(alpha=0.05).loc[["x1", "x2", "W_x1", "W_x2", "rho"]].to_numpy()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], bounds, rtol=1e-12)


def test_index_trends_names_regions_missing_from_the_registry(province_panel):
    """Unknown codes (or codes stored as text) raise instead of silently leaving the plot."""
    panel = province_panel.assign(region=province_panel["region"].replace(110000, 999999))
    with pytest.raises(DataError, match=r"'region' values \[999999\] are not province codes"):
        figures.index_trends(panel, "dt", lang="en")
    text = province_panel.assign(region=province_panel["region"].astype(str))
    with pytest.raises(DataError, match=r"'region' values \['110000', '120000'"):
        figures.index_trends(text, "dt", lang="en")


@pytest.mark.parametrize("level", ["province", "city"])
def test_map_extent_equals_the_bounds_of_every_shape_clipped(level):
    # _extent cuts only the shapes that cross the box's edge; the bounds are those of clipping all
    from clusterdx.regions.registry import geometry
    from clusterdx.report._spatial_figures import _ISLANDS_BOX, _MAINLAND_BOX, _extent

    shapes = geometry(level)
    for lonlat_box in (_MAINLAND_BOX, _ISLANDS_BOX):
        xmin, ymin, xmax, ymax = shapes.clip(box(*lonlat_box)).to_crs(CHINA_ALBERS).total_bounds
        pad = 0.02 * max(xmax - xmin, ymax - ymin)
        expected = [xmin - pad, ymin - pad, xmax + pad, ymax + pad]
        np.testing.assert_array_equal(_extent(shapes, lonlat_box), expected)
