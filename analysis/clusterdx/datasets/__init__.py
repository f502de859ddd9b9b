"""Reference data from the documents ClusterDX was built on, and toy panels with known parameters.

Toy panels (`clusterdx.datasets.toy`, deterministic by ``seed``): `toy_panel` (region-year with
dt, demand, gov, tech, core, coastal), `staggered_panel` (staggered adoption for DID),
`spatial_panel` and `dynamic_spatial_panel` (simulated spatial panels on a given W); the true
coefficients of `toy_panel` are `TOY_PARAMS`.

Every table is shipped in the package (``clusterdx/datasets/data/*.csv``) and every row carries
its source: the document (file prefix of the seed text, listed in ``PROVENANCE.md``) and the line
of that text where the row's figure or name is printed; ``quote`` columns hold the words found
there. Nothing is read from outside the package.

>>> import clusterdx as cdx
>>> cdx.datasets.named_clusters().query("seed_type != ''")[["cluster_name", "seed_type"]].to_dict("records")[0]
{'cluster_name': '平乡县自行车(童车)产业集群', 'seed_type': 'symbiotic'}
>>> int(cdx.datasets.domain_continent_counts()["clusters"].sum())
150
"""

from __future__ import annotations

import importlib.resources

import pandas as pd

from clusterdx.datasets.toy import (
    TOY_PARAMS,
    dynamic_spatial_panel,
    spatial_panel,
    staggered_panel,
    toy_panel,
)

__all__ = [
    "DOCUMENTS",
    "TOY_PARAMS",
    "domain_continent_counts",
    "dynamic_spatial_panel",
    "named_clusters",
    "programme_timeline",
    "province_cluster_lists",
    "spatial_panel",
    "staggered_panel",
    "toy_panel",
]

#: Seed documents by file prefix (see PROVENANCE.md for the full titles).
DOCUMENTS: dict[str, str] = {
    "000": "产业集群数字化转型文献综述与德美日集群计划经验",
    "002": "赵、周：共生型 / 附生型 / 寄生型制造业产业集群的数字化转型模式与驱动机制",
    "003": "2023全球先进制造业集群发展报告（150个典型集群）",
    "004": "赛迪：数字产业集群——国际经验与路径研判",
}


def _read(name: str, text: tuple[str, ...] = ()) -> pd.DataFrame:
    resource = importlib.resources.files("clusterdx.datasets") / "data" / f"{name}.csv"
    dtype = dict.fromkeys(("document", *text), str)
    with resource.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=dtype, keep_default_na=False)


def named_clusters() -> pd.DataFrame:
    """Chinese industrial clusters named in the documents: codes (GB/T 2260), seed type, leading firms.

    ``seed_type`` is Zhao & Zhou's type (``symbiotic`` / ``epiphytic`` / ``parasitic``) for the
    three case clusters of document 002, empty elsewhere; ``city_code`` lists several cities
    separated by ``;`` and is empty for a municipality (the province code is the city);
    ``leading_firms`` are ``;``-separated.
    """
    return _read("named_clusters", text=("city_code", "county_code"))


def programme_timeline() -> pd.DataFrame:
    """Cluster programmes of Germany, the United States and Japan by year (document 000)."""
    return _read("programme_timeline")


def province_cluster_lists() -> pd.DataFrame:
    """Guangdong's two lists of ten strategic clusters and Zhejiang's ten landmark chains (004), one row per item."""
    return _read("province_cluster_lists")


def domain_continent_counts() -> pd.DataFrame:
    """The 150 tracked advanced-manufacturing clusters by domain × continent (003, Figure 2-1), long form."""
    return _read("domain_continent_counts")
