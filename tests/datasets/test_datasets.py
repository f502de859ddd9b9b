"""Shipped reference tables: row counts and sums equal the figures printed in the source documents."""

from __future__ import annotations

import clusterdx as cdx
from clusterdx.regions.registry import table as region_table


def test_domain_continent_counts_sum_to_150():
    # 003 L90: "梳理了目前在全球具有一定影响力和地位的产业集群（共计 150 个，如图 2-1 所示）"
    d = cdx.datasets.domain_continent_counts()
    assert len(d) == 6 * 5
    assert d["clusters"].sum() == 150
    by_domain = d.groupby("domain")["clusters"].sum()
    # 003 L103: "生物医药及高端医疗器械领域	0	10	0	15	10" -> 35
    assert by_domain["生物医药及高端医疗器械领域"] == 35
    # 003 L105: "电子信息领域	1	6	0	7	16" -> 30
    assert by_domain["电子信息领域"] == 30
    assert (d["document"] == "003").all()


def test_province_lists_have_ten_items_each():
    # 004 L297 "10个战略性支柱产业集群"; L300 "10个战略性新兴产业集群的数字化转型及赋能重点方向";
    # L303 "十大标志性产业链"
    d = cdx.datasets.province_cluster_lists()
    assert d.groupby(["province", "list"]).size().to_dict() == {
        ("广东", "10个战略性支柱产业集群"): 10,
        ("广东", "10个战略性新兴产业集群的数字化转型及赋能重点方向"): 10,
        ("浙江", "十大标志性产业链"): 10,
    }
    assert d.groupby("list")["position"].apply(lambda p: sorted(p) == list(range(1, 11))).all()
    # 004 L304: "... 节能与新能源汽车、现代纺织。"
    last = d[(d.province == "浙江") & (d.position == 10)]["item"].item()
    assert last == "现代纺织"


def test_programme_timeline():
    # 000 L163-L169: Germany 1995, 2007, 2013, 2015; L217 US 2010; L278 Japan 2010
    d = cdx.datasets.programme_timeline()
    assert d.groupby("country")["year"].apply(list).to_dict() == {
        "Germany": [1995, 2007, 2013, 2015],
        "Japan": [2010],
        "United States": [2010],
    }
    # 000 L280-281: "用于打造17个全球性产业集群和 / 23个城市区产业集群"
    assert (
        "17个全球性产业集群和23个城市区产业集群" in d.loc[d.country == "Japan", "programme"].item()
    )


def test_named_clusters_and_seed_types():
    # 002 L5: the three case clusters, one per type: 平乡县自行车 (共生型, "市场需求驱动+政府支持"),
    # 广州市纺织服装 (附生型, "技术创新吸引+政府支持"), 隆尧县食品 (寄生型, 核心企业领导型)
    d = cdx.datasets.named_clusters()
    assert len(d) == 17
    typed = d[d.seed_type != ""].set_index("cluster_name")["seed_type"].to_dict()
    assert typed == {
        "平乡县自行车(童车)产业集群": "symbiotic",
        "广州市纺织服装产业集群": "epiphytic",
        "隆尧县食品产业集群": "parasitic",
    }
    assert set(d.province_code) <= set(cdx.regions.provinces()["code"])
    counties = set(region_table("county")["code"])
    assert {int(c) for c in d.county_code if c} <= counties
    assert d.loc[d.cluster_name == "隆尧县食品产业集群", "leading_firms"].item() == "今麦郎"
    # every row cites a line of its document
    assert (d.line > 0).all() and set(d.document) == {"000", "002", "003", "004"}
