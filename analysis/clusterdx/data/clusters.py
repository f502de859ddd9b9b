"""The cluster-year panel: each registered cluster in every year of its region's panel rows.

A study with a ``cluster`` source (the registry: one row per cluster) can fit ``[[models]]`` and
heterogeneity / moderation analyses on clusters instead of regions (``unit = "cluster"``). The
cluster-year panel joins, for cluster c of region r in year t,

* the registry row of c (its identifier ``cluster``, ``region``, the ``keep`` columns such as
  ``cluster_type`` and the variables such as ``designation_year``): the cluster's own attributes;
* the region-year row (r, t) of the indicator panel: every variable, indicator and region attribute
  of its region (``macro_region``, ``type_share_<type>``), which all the region's clusters share;
* the variables of ``cluster`` sources that have a ``year`` column (cluster-year tables), at (c, t).

Where a registry column and a region column have the same name (``cluster_type``: the region's
dominant type; ``designation_year``: the region's first designation), the cluster's own value is
kept. Clusters of regions without panel rows (excluded or dropped regions, whose rows the audit
lists) have no rows either.
"""

from __future__ import annotations

import pandas as pd

from clusterdx.errors import DataError

ENTITY, TIME, CLUSTER = "region", "year", "cluster"


def cluster_panel(
    registry: pd.DataFrame,
    panel: pd.DataFrame,
    cluster_years: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Cluster-year panel from a cluster registry and the region-year indicator panel.

    Parameters
    ----------
    registry : DataFrame
        One row per cluster: columns ``cluster`` and ``region`` plus its attributes.
    panel : DataFrame
        Region-year panel (columns ``region``, ``year`` and the variables).
    cluster_years : dict of str to DataFrame, optional
        Cluster-year tables by source name: columns ``cluster``, ``region``, ``year`` and variables.

    Returns
    -------
    DataFrame
        Sorted by (cluster, year); columns ``cluster``, ``year``, ``region``, the registry's, the
        region panel's, then the cluster-year variables.

    Raises
    ------
    DataError
        A cluster-year table names a cluster absent from the registry, or places a cluster in
        another region than the registry does.

    Examples
    --------
    >>> registry = pd.DataFrame({"cluster": ["C1", "C2", "C3"], "region": [1, 1, 2],
    ...                          "cluster_type": ["symbiotic", "parasitic", "epiphytic"]})
    >>> panel = pd.DataFrame({"region": [1, 1, 2, 2], "year": [2020, 2021, 2020, 2021],
    ...                       "dt": [0.1, 0.2, 0.3, 0.4], "cluster_type": ["parasitic"] * 4})
    >>> cluster_panel(registry, panel)
      cluster  year  region cluster_type   dt
    0      C1  2020       1    symbiotic  0.1
    1      C1  2021       1    symbiotic  0.2
    2      C2  2020       1    parasitic  0.1
    3      C2  2021       1    parasitic  0.2
    4      C3  2020       2    epiphytic  0.3
    5      C3  2021       2    epiphytic  0.4
    """
    own = [c for c in registry.columns if c not in (CLUSTER, ENTITY)]
    regional = panel.drop(columns=[c for c in own if c in panel.columns])
    out = registry.merge(regional, on=ENTITY, how="inner", validate="m:m")
    for name, table in (cluster_years or {}).items():
        home = registry.set_index(CLUSTER)[ENTITY]
        unknown = sorted(set(table[CLUSTER]) - set(home.index))
        if unknown:
            raise DataError(
                f"cluster-year source '{name}': clusters {unknown[:5]} are not in the cluster "
                "registry; add them to the registry (the cluster source without a year column)"
            )
        moved = table[table[ENTITY].to_numpy() != home.reindex(table[CLUSTER]).to_numpy()]
        if not moved.empty:
            first = moved.iloc[0]
            raise DataError(
                f"cluster-year source '{name}': cluster {first[CLUSTER]!r} is in region "
                f"{first[ENTITY]} in {first[TIME]} but in region {home[first[CLUSTER]]} in the "
                "registry; correct the region column of one of them"
            )
        variables = [c for c in table.columns if c not in (CLUSTER, ENTITY, TIME)]
        out = out.drop(columns=[c for c in variables if c in out.columns]).merge(
            table[[CLUSTER, TIME, *variables]], on=[CLUSTER, TIME], how="left", validate="1:1"
        )
    first = [CLUSTER, TIME, ENTITY, *own]
    out = out[first + [c for c in out.columns if c not in first]]
    return out.sort_values([CLUSTER, TIME], kind="stable").reset_index(drop=True)
