"""Deterministic generator of the bundled demo data (``data_raw/demo/``).

The demo mimics what researchers download for a provincial study of cluster digitalisation: yearbook
sheets (wide XLSX, units 亿元 / 万人), a GBK-encoded CSV with Chinese headers, long UTF-8 CSVs,
manufacturing employment by 2-digit industry, a listed-firm table with digital-keyword counts and a
cluster registry (real cluster names from `clusterdx.datasets` where their province has them). A few cells are deliberately dirty so the audit has work: one exact duplicate row,
one blank cell and one unit slip (a GDP value typed in 万元 instead of 亿元).

Data-generating process (true parameters in `TRUTH`, written to ``truth.json``)
-------------------------------------------------------------------------------
Regions i = 1..N (the 31 provinces), years t = 2011..2023, W the queen-contiguity matrix of the
registry, row-standardised (Hainan linked to Guangdong, see ``regions/data/PROVENANCE.md``).
Latent drivers d_it ∈ {demand, gov, tech, core} follow region level + region trend + AR(1) noise
(shocks of scale `DRIVER_SHOCK`). Each region has a dominant cluster type g(i) ∈ {symbiotic,
epiphytic, parasitic}, about N/3 regions each. The latent cluster digital-transformation level follows
a spatial Durbin process with two-way effects,

    dt_t = ρ W dt_t + Σ_k β_{g,k} d_{k,t} + Σ_k θ_k W d_{k,t} + μ + ξ_t + ε_t,   ε ~ N(0, σ² I),

whose driver weights β_g differ by cluster type (symbiotic: demand + government; epiphytic:
technology + government; parasitic: core firms).

What the raw files record, so that the study's indicators measure the latent variables linearly:
each driver indicator of the default study (log retail sales per person, S&T share of fiscal
spending in %, log invention patents per person, top-4 firms' revenue share) equals a region
baseline + a common trend + `PROXY_SLOPE` × (d_k − its region level) + small noise; the seven
digital-economy indicators entering the entropy composite ``dt`` are linear in the latent dt with
their own baselines, trends and small noise, so the composite is a + b·dt (b depending on the entropy
weights). Under two-way fixed effects the study's slopes therefore estimate (b / PROXY_SLOPE)·β
(same signs and ranking as β) and ρ itself (``tests/test_demo_recovery.py``).

Same seed → byte-identical files: floats are written with fixed decimals, the XLSX archive gets fixed
timestamps and document dates.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from openpyxl import Workbook

from clusterdx import weights
from clusterdx.errors import StudySpecError
from clusterdx.regions.names import base_name
from clusterdx.regions.registry import table as region_table
from clusterdx.regions.source import Level

FIRST_YEAR, LAST_YEAR = 2011, 2023
DEFAULT_SEED = 20241123
DRIVERS = ("demand", "gov", "tech", "core")
#: Each driver proxy moves by PROXY_SLOPE (log points, percentage points or share points) per unit
#: of its latent driver; so do the truth's β on the proxies' scale up to dt's unit (see README).
PROXY_SLOPE = 0.1
#: Scale of the AR(1) shocks of the latent drivers (their within-region variation).
DRIVER_SHOCK = 0.4
TYPES = ("symbiotic", "epiphytic", "parasitic")

#: True parameters of the latent spatial Durbin process (see the module docstring).
TRUTH: dict = {
    "rho": 0.35,
    "beta": {
        "symbiotic": {"demand": 0.45, "gov": 0.30, "tech": 0.10, "core": 0.05},
        "epiphytic": {"demand": 0.10, "gov": 0.30, "tech": 0.45, "core": 0.05},
        "parasitic": {"demand": 0.10, "gov": 0.10, "tech": 0.10, "core": 0.45},
    },
    "theta": {"demand": 0.10, "gov": 0.05, "tech": 0.15, "core": 0.0},
    "sigma": 0.15,
    "sigma_mu": 0.30,
    "time_trend": 0.08,
}

#: 2-digit manufacturing industries (GB/T 4754-2017) used in the employment table.
INDUSTRIES = {
    "13": "农副食品加工业",
    "14": "食品制造业",
    "15": "酒、饮料和精制茶制造业",
    "17": "纺织业",
    "18": "纺织服装、服饰业",
    "22": "造纸和纸制品业",
    "25": "石油、煤炭及其他燃料加工业",
    "26": "化学原料和化学制品制造业",
    "27": "医药制造业",
    "29": "橡胶和塑料制品业",
    "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业",
    "33": "金属制品业",
    "34": "通用设备制造业",
    "35": "专用设备制造业",
    "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业",
    "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业",
    "40": "仪器仪表制造业",
}
FIRMS_PER_REGION = 20
CORE_FIRMS = 4  # the study's core-firm indicator is the top-4 revenue share
KEYWORD_DIMENSIONS = ("ai", "blockchain", "cloud", "bigdata", "application")

#: Wide XLSX sheets: variable -> (sheet name, unit as printed).
YEARBOOK_SHEETS = {
    "gdp": "地区生产总值(亿元)",
    "population": "年末常住人口(万人)",
    "retail": "社会消费品零售总额(亿元)",
    "fiscal_exp": "一般公共预算支出(亿元)",
    "st_exp": "科学技术支出(亿元)",
}


def contiguity_matrix(codes: np.ndarray, level: Level = "province") -> sp.csr_matrix:
    """Row-standardised queen contiguity among ``codes`` (registry order), as a sparse matrix."""
    reg = region_table(level)
    w = weights.align(
        weights.contiguity(reg[reg["code"].isin(codes)], rule="queen", level=level), list(codes)
    )
    return w.sparse.tocsr()


def _drivers(rng: np.random.Generator, n: int, t: int) -> tuple[dict, dict]:
    """Latent drivers, shape (T, N): level + trend + AR(1) noise; levels mildly correlated.

    Returns the drivers and their region levels (the part the region fixed effects absorb).
    """
    common = rng.normal(size=n)
    out, levels = {}, {}
    trend = np.linspace(0.0, 1.0, t)[:, None]
    for name in DRIVERS:
        level = 0.6 * common + 0.8 * rng.normal(size=n)
        slope = 0.6 + 0.3 * rng.normal(size=n)
        noise = np.zeros((t, n))
        shocks = rng.normal(scale=DRIVER_SHOCK, size=(t, n))
        for s in range(t):
            noise[s] = (0.5 * noise[s - 1] if s else 0.0) + shocks[s]
        out[name] = level[None, :] + slope[None, :] * trend + noise
        levels[name] = level
    return out, levels


def _latent_dt(rng, w, drivers, types) -> np.ndarray:
    """Latent digital-transformation level from the spatial Durbin process, shape (T, N)."""
    t, n = drivers["demand"].shape
    mu = rng.normal(scale=TRUTH["sigma_mu"], size=n)
    xi = TRUTH["time_trend"] * np.arange(t)
    eps = rng.normal(scale=TRUTH["sigma"], size=(t, n))
    beta = np.array([[TRUTH["beta"][g][k] for k in DRIVERS] for g in types])
    a = sp.identity(n, format="csc") - TRUTH["rho"] * w.tocsc()
    solve = sp.linalg.factorized(a)
    dt = np.empty((t, n))
    for s in range(t):
        x = np.column_stack([drivers[k][s] for k in DRIVERS])
        rhs = (x * beta).sum(axis=1) + (w @ x) @ np.array([TRUTH["theta"][k] for k in DRIVERS])
        dt[s] = solve(rhs + mu + xi[s] + eps[s])
    return dt


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _demo_codes(level: Level, provinces: Sequence[int] | None) -> np.ndarray:
    """Registry codes of ``level`` in registry order; only those within ``provinces`` if given."""
    codes = region_table(level)["code"].to_numpy()
    if provinces is None:
        return codes
    province = codes // 10000 * 10000
    unknown = sorted(set(provinces) - set(province))
    if unknown:
        raise StudySpecError(
            f"provinces {unknown} are not province codes of the registry; "
            "use six-digit codes such as 320000 (江苏省)"
        )
    codes = codes[np.isin(province, list(provinces))]
    if len(codes) < 17:
        raise StudySpecError(
            f"provinces {sorted(provinces)} hold {len(codes)} {level} units; the demo's dirty "
            "cells sit at the 4th, 11th and 17th unit: choose provinces with at least 17"
        )
    return codes


def simulate(
    seed: int = DEFAULT_SEED, level: Level = "province", provinces: Sequence[int] | None = None
) -> dict[str, pd.DataFrame]:
    """Simulate the demo tables (clean, before formatting and dirt) as data frames.

    ``provinces`` (six-digit codes) keeps only the units of ``level`` within them, e.g. the
    cities of three provinces for a quick end-to-end run; by default every unit of the registry.

    Returns
    -------
    dict
        ``region_year`` (one row per province-year with every yearbook variable, the latent drivers
        and ``dt_latent``), ``employment``, ``firms``, ``clusters`` and ``types`` (dominant cluster
        type per province).
    """
    rng = np.random.default_rng(seed)
    codes = _demo_codes(level, provinces)
    n, years = len(codes), np.arange(FIRST_YEAR, LAST_YEAR + 1)
    t = len(years)
    w = contiguity_matrix(codes, level)
    types = rng.permutation(np.resize(np.array(TYPES), n))  # balanced: ~N/3 regions per type
    drivers, levels = _drivers(rng, n, t)
    dt = _latent_dt(rng, w, drivers, types)

    def noise(scale):
        return rng.normal(scale=scale, size=(t, n))

    def region(scale):
        return rng.normal(scale=scale, size=n)[None, :]

    def proxy(k):
        """S × (driver − its region level): what an indicator records of driver k."""
        return PROXY_SLOPE * (drivers[k] - levels[k][None, :])

    step = (years - FIRST_YEAR)[:, None]
    pop = (
        np.exp(np.log(rng.uniform(350, 11000, size=n)))[None, :]
        * (1.003**step)
        * np.exp(noise(0.005))
    )
    log_gdp_pc = 0.9 + region(0.3) + 0.045 * step  # 万元 per person
    gdp = np.exp(log_gdp_pc + noise(0.03)) * pop  # 亿元 (万元/人 × 万人)
    # Driver proxies: log retail per person, S&T share of spending (%), log patents per person and
    # the top-4 firms' revenue share (in `_firms`) move by PROXY_SLOPE per unit of their driver.
    retail = pop * np.exp(np.log(0.36) + log_gdp_pc + proxy("demand") + noise(0.004))
    fiscal = gdp * (0.22 + 0.02 * np.tanh(region(1.0)) + noise(0.01))
    st_share = 2.5 * np.exp(region(0.3)) + 0.03 * step + proxy("gov") + noise(0.004)
    st_exp = fiscal * st_share / 100
    rd = gdp * np.exp(-4.1 + 0.40 * drivers["tech"] + noise(0.05)) * 1e4  # 万元
    patents = np.round(pop * np.exp(1.0 + region(0.6) + 0.08 * step + proxy("tech") + noise(0.003)))
    tech_market = gdp * np.exp(-4.2 + 0.50 * drivers["tech"] + noise(0.08))
    transfers = np.round(patents * _sigmoid(-1.8 + 0.4 * drivers["tech"] + noise(0.1)))
    # Digital-transformation indicators: linear in dt (slopes small enough to stay positive), each
    # with its own region baseline, a common trend and small noise, so the entropy composite is
    # a + b·dt up to noise.
    broadband = pop * (0.45 + region(0.03) + 0.03 * dt + 0.03 * step + noise(0.002))  # 万个
    internet = pop * (0.30 + region(0.02) + 0.02 * dt + 0.012 * step + noise(0.0015))  # 万户
    mobile = pop * (1.00 + region(0.05) + 0.04 * dt + 0.02 * step + noise(0.003))  # 万户
    software = gdp * (0.030 + region(0.003) + 0.004 * dt + 0.001 * step + noise(0.0003))
    telecom = pop * (0.20 + region(0.02) + 0.02 * dt + 0.01 * step + noise(0.0015))  # 亿元
    finance = 150.0 + region(10.0) + 20.0 * dt + 22.0 * step + noise(1.0)
    online = retail * (0.20 + region(0.02) + 0.02 * dt + 0.012 * step + noise(0.0015))

    def long(values):
        return values.reshape(-1)

    region_year = pd.DataFrame(
        {
            "region": np.tile(codes, t),
            "year": np.repeat(years, n),
            "gdp": long(gdp),
            "population": long(pop),
            "retail": long(retail),
            "fiscal_exp": long(fiscal),
            "st_exp": long(st_exp),
            "rd": long(rd),
            "patents": long(patents),
            "tech_market": long(tech_market),
            "patent_transfers": long(transfers),
            "broadband": long(broadband),
            "internet_users": long(internet),
            "mobile_users": long(mobile),
            "software": long(software),
            "telecom": long(telecom),
            "digital_finance": long(finance),
            "online_retail": long(online),
            "dt_latent": long(dt),
            **{f"{k}_latent": long(drivers[k]) for k in DRIVERS},
        }
    )
    employment = _employment(rng, codes, years, pop, dt)
    firms = _firms(rng, codes, years, dt, proxy("core"))
    clusters = _clusters(rng, codes, types, level)
    return {
        "region_year": region_year,
        "employment": employment,
        "firms": firms,
        "clusters": clusters,
        "types": pd.DataFrame({"region": codes, "cluster_type": types}),
    }


def _employment(rng, codes, years, pop, dt) -> pd.DataFrame:
    """Manufacturing employment (万人) by province × 2-digit industry × year."""
    inds = list(INDUSTRIES)
    n, t, m = len(codes), len(years), len(inds)
    shares = rng.dirichlet(np.full(m, 0.8), size=n)  # regional specialisation
    electronics = inds.index("39")
    rows = []
    for s in range(t):
        mfg = pop[s] * (0.07 + 0.01 * rng.normal(size=n)).clip(0.02)
        tilt = shares.copy()
        tilt[:, electronics] *= np.exp(0.3 * dt[s])
        tilt /= tilt.sum(axis=1, keepdims=True)
        emp = mfg[:, None] * tilt * np.exp(rng.normal(scale=0.03, size=(n, m)))
        rows.append(
            pd.DataFrame(
                {
                    "region": np.repeat(codes, m),
                    "year": years[s],
                    "industry": np.tile(inds, n),
                    "employment": emp.reshape(-1),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _firms(rng, codes, years, dt, core) -> pd.DataFrame:
    """Listed firms: revenue (亿元) and digital-keyword counts by dimension from annual reports.

    Each region has `FIRMS_PER_REGION` firms; the first `CORE_FIRMS` are its core (chain-leader)
    firms, listed from the first year. The other firms' revenues are lognormal; the core firms
    share their region's revenue so that their joint share is a region baseline (about 0.65) + ``core``
    (the driver proxy) + small noise, large enough that they are the top `CORE_FIRMS` firms.
    """
    n = len(codes)
    n_firms = FIRMS_PER_REGION * n
    home = np.tile(np.arange(n), FIRMS_PER_REGION)  # firm f lives in region f mod N
    is_core = np.arange(n_firms) < CORE_FIRMS * n
    industry = rng.choice(list(INDUSTRIES), size=n_firms)
    listed = np.where(is_core, years[0], rng.integers(years[0] - 8, years[-1] - 1, size=n_firms))
    listed = listed.clip(years[0])
    size = np.where(is_core, 2.0, 0.5 * rng.normal(size=n_firms))
    core_split = rng.dirichlet(np.full(CORE_FIRMS, 20.0), size=n)  # fixed within region
    baseline = 0.65 + rng.normal(scale=0.04, size=n)
    frames = []
    for s, year in enumerate(years):
        alive = np.flatnonzero(listed <= year)
        i = home[alive]
        revenue = np.exp(3.0 + size[alive] + 0.03 * s + rng.normal(scale=0.1, size=alive.size))
        share = baseline + core[s] + rng.normal(scale=0.003, size=n)
        share = share.clip(0.05, 0.95)  # a share; never binds at province level (0.54-0.91)
        rest = np.bincount(i, weights=np.where(is_core[alive], 0.0, revenue), minlength=n)
        lead = is_core[alive]
        rank = alive[lead] // n  # 0..CORE_FIRMS-1
        revenue[lead] = (rest * share / (1.0 - share))[i[lead]] * core_split[i[lead], rank]
        counts = {
            f"kw_{dim}": rng.poisson(np.exp(base + 0.6 * dt[s, i] + 0.12 * s + 0.3 * size[alive]))
            for dim, base in zip(KEYWORD_DIMENSIONS, (-0.5, -1.6, 0.2, 0.4, 1.0), strict=True)
        }
        frames.append(
            pd.DataFrame(
                {
                    "firm": [f"F{f:04d}" for f in alive],
                    "region": codes[i],
                    "industry": industry[alive],
                    "year": year,
                    "revenue": revenue,
                    **counts,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


#: GB/T 4754-2017 division of each named cluster's product (the demo's assignment: the documents
#: name the clusters, not their industry codes; 65 = software and IT services, not manufacturing).
NAMED_INDUSTRY = {
    "平乡县自行车(童车)产业集群": "37",
    "广州市纺织服装产业集群": "18",
    "隆尧县食品产业集群": "14",
    "海宁经编产业集群": "17",
    "武汉市、襄阳市、十堰市、随州市汽车集群": "36",
    "长春市汽车集群": "36",
    "上海市新能源汽车集群": "36",
    "广州市智能网联汽车产业集群": "36",
    "温州市乐清电气集群": "38",
    "深圳市新一代信息通信集群": "39",
    "南京市软件和信息服务集群": "65",
    "青岛智能家电集群": "38",
    "无锡物联网集群": "39",
    "合肥智能语音产业高地": "39",
    "杭州数字安防产业高地": "39",
    "武汉智能网联汽车集群": "36",
    "长沙智能制造装备产业集群": "35",
}


def _clusters(rng, codes, types, level: Level) -> pd.DataFrame:
    """Cluster registry: two clusters per region, mostly of its dominant type, led by a core firm.

    At province level the clusters take the real names of `clusterdx.datasets.named_clusters`
    where their province has named clusters (`real_names`); the others are named after their
    province and simulated industry.
    """
    names = region_table(level).set_index("code")["name_zh"]
    rows = []
    for r, code in enumerate(codes):
        for k in range(2):
            kind = types[r] if k == 0 or rng.random() < 0.6 else rng.choice(TYPES)
            industry = rng.choice(list(INDUSTRIES))
            leader = f"F{r + len(codes) * int(rng.integers(CORE_FIRMS)):04d}"  # a core firm
            rows.append(
                {
                    "cluster": f"C{code}-{k + 1}",
                    "name": f"{names[code]}{INDUSTRIES[industry]}集群",
                    "region": code,
                    "industry": industry,
                    "cluster_type": kind,
                    "leading_firm": leader,
                    "designation_year": int(rng.integers(2015, 2022)),
                }
            )
    frame = pd.DataFrame(rows)
    return real_names(frame) if level == "province" else frame


def real_names(clusters: pd.DataFrame) -> pd.DataFrame:
    """Give simulated clusters the names (and product industries) of real clusters of their province.

    Within each province, a named cluster with a seed type (Zhao & Zhou's three cases) goes to the
    first simulated cluster of that type, then the untyped named clusters go to the remaining
    simulated clusters in registry order; named clusters left over (a typed one whose type the
    province's simulated clusters lack, or more names than clusters) are not used. Only names and
    industry codes change: types, leading firms and designation years stay simulated, so the
    truth and every other demo file are unaffected.

    Examples
    --------
    >>> sim = pd.DataFrame({"cluster": ["C130000-1", "C130000-2"], "region": [130000, 130000],
    ...                     "name": ["河北省A集群", "河北省B集群"], "industry": ["13", "13"],
    ...                     "cluster_type": ["parasitic", "parasitic"]})
    >>> real_names(sim)[["name", "industry"]].values.tolist()
    [['隆尧县食品产业集群', '14'], ['河北省B集群', '13']]
    """
    from clusterdx.datasets import named_clusters

    out = clusters.copy()
    named = named_clusters()
    for code, group in named.groupby("province_code", sort=False):
        slots = list(out.index[out["region"] == code])
        ordered = [
            *group[group["seed_type"] != ""].itertuples(),
            *group[group["seed_type"] == ""].itertuples(),
        ]
        for real in ordered:
            fits = [i for i in slots if real.seed_type in ("", out.loc[i, "cluster_type"])]
            if not fits:
                continue
            out.loc[fits[0], ["name", "industry"]] = [
                real.cluster_name,
                NAMED_INDUSTRY[real.cluster_name],
            ]
            slots.remove(fits[0])
    return out


def _names(codes, level: Level, strip_suffix: bool = False) -> np.ndarray:
    """Region labels as yearbooks print them: Chinese names for provinces, codes below (names repeat)."""
    if level != "province":
        return np.asarray(codes).astype(str)
    names = region_table(level).set_index("code").loc[codes, "name_zh"].to_numpy()
    if strip_suffix:
        names = np.array([base_name(x) for x in names])
    return names


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write sheets to XLSX with fixed document dates and zip timestamps (byte-identical reruns)."""
    book = Workbook()
    book.remove(book.active)
    fixed = datetime(2024, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "clusterdx demo generator"
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_dates(data)
            stamped = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(stamped, data)


def _fix_core_dates(xml: bytes) -> bytes:
    return re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2024-01-01T00:00:00Z\g<3>",
        xml,
    )


def _write_csv(frame: pd.DataFrame, path: Path, **options: Any) -> Path:
    """Write ``frame`` to ``path`` as the demo CSV files are (no index, LF line ends); return it."""
    frame.to_csv(path, index=False, lineterminator="\n", **options)
    return path


def write_demo(
    directory: str | Path,
    seed: int = DEFAULT_SEED,
    level: Level = "province",
    provinces: Sequence[int] | None = None,
) -> list[Path]:
    """Generate the demo raw files of one territorial level into ``directory``; return their paths.

    At province level regions are written by Chinese name (as yearbooks print them); at city and
    county level by code, since names repeat below province level (several 鼓楼区). The dirty cells
    sit at fixed positions of the registry order: the 17th region's GDP in 2017 (湖北 at province
    level) is typed in 万元, the 4th region's R&D in 2015 (山西) is blank, and the 11th region's 2019
    row (浙江) of the digital-economy file is duplicated. ``provinces`` (six-digit codes) keeps
    only the units within those provinces (see `simulate`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_demo(folder)
    ...     sorted(p.name for p in paths)
    ['cluster_registry.csv', 'digital_economy.csv', 'innovation_gbk.csv', 'listed_firms.csv', 'manufacturing_employment.csv', 'truth.json', 'yearbook_macro.xlsx']
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    sim = simulate(seed, level, provinces)
    ry = sim["region_year"].copy()
    codes = ry["region"].to_numpy()
    regions_in_order = np.unique(codes)
    slipped, blanked, duplicated = regions_in_order[[16, 3, 10]]
    written = []

    # 1. Wide yearbook workbook, names without suffix ("北京"), headers "2011年"; one unit slip.
    slip_row = ry.index[(ry["region"] == slipped) & (ry["year"] == 2017)][0]
    ry_dirty = ry.copy()
    ry_dirty.loc[slip_row, "gdp"] = ry.loc[slip_row, "gdp"] * 1e4  # typed in 万元
    sheets = {}
    short = dict(
        zip(regions_in_order, _names(regions_in_order, level, strip_suffix=True), strict=True)
    )
    for var, sheet in YEARBOOK_SHEETS.items():
        wide = ry_dirty.pivot(index="region", columns="year", values=var).round(2)
        wide.columns = [f"{y}年" for y in wide.columns]
        wide.insert(0, "地区", [short[c] for c in wide.index])
        sheets[sheet] = wide.reset_index(drop=True)
    path = out / "yearbook_macro.xlsx"
    _write_xlsx(path, sheets)
    written.append(path)

    # 2. GBK CSV with Chinese headers and full names; one blank cell (R&D of 山西 in 2015).
    innov = pd.DataFrame(
        {
            "地区": _names(codes, level),
            "年份": ry["year"],
            "R&D经费内部支出(万元)": ry["rd"].round(1).astype(str),
            "发明专利授权数(件)": ry["patents"].astype("int64").astype(str),
            "技术市场成交额(亿元)": ry["tech_market"].round(3).astype(str),
            "专利转让数(件)": ry["patent_transfers"].astype("int64").astype(str),
        }
    )
    blank = innov.index[(ry["region"] == blanked) & (ry["year"] == 2015)][0]
    innov.loc[blank, "R&D经费内部支出(万元)"] = ""
    written.append(_write_csv(innov, out / "innovation_gbk.csv", encoding="gbk"))

    # 3. Long UTF-8 CSV keyed by code; one exact duplicate row.
    digital = pd.DataFrame(
        {
            "region_code": codes,
            "year": ry["year"],
            "broadband_ports_10k": ry["broadband"].round(2),
            "internet_users_10k": ry["internet_users"].round(2),
            "mobile_users_10k": ry["mobile_users"].round(2),
            "software_revenue_100m_yuan": ry["software"].round(2),
            "telecom_volume_100m_yuan": ry["telecom"].round(2),
            "digital_finance_index": ry["digital_finance"].round(2),
            "online_retail_100m_yuan": ry["online_retail"].round(2),
        }
    )
    dup = digital.index[(ry["region"] == duplicated) & (ry["year"] == 2019)][0]
    digital = pd.concat(
        [digital.loc[:dup], digital.loc[[dup]], digital.loc[dup + 1 :]], ignore_index=True
    )
    written.append(_write_csv(digital, out / "digital_economy.csv", float_format="%.2f"))

    emp = sim["employment"]
    employment = pd.DataFrame(
        {
            "region_code": emp["region"],
            "year": emp["year"],
            "industry_code": emp["industry"],
            "industry_name": emp["industry"].map(INDUSTRIES),
            "employment_10k": emp["employment"].round(4),
        }
    )
    path = out / "manufacturing_employment.csv"
    written.append(_write_csv(employment, path, float_format="%.4f"))

    firms = sim["firms"]
    listed = pd.DataFrame(
        {
            "firm_id": firms["firm"],
            "region": _names(firms["region"].to_numpy(), level),
            "industry_code": firms["industry"],
            "year": firms["year"],
            "revenue_100m_yuan": firms["revenue"].round(3),
            **{c: firms[c] for c in firms.columns if c.startswith("kw_")},
        }
    )
    written.append(_write_csv(listed, out / "listed_firms.csv", float_format="%.3f"))

    clusters = sim["clusters"]
    registry = pd.DataFrame(
        {
            "cluster_id": clusters["cluster"],
            "cluster_name": clusters["name"],
            "region": _names(clusters["region"].to_numpy(), level),
            "industry_code": clusters["industry"],
            "cluster_type": clusters["cluster_type"],
            "leading_firm": clusters["leading_firm"],
            "designation_year": clusters["designation_year"],
        }
    )
    written.append(_write_csv(registry, out / "cluster_registry.csv"))

    truth = {
        "seed": seed,
        "level": level,
        "years": [FIRST_YEAR, LAST_YEAR],
        **TRUTH,
        "proxy_slope": PROXY_SLOPE,
        "cluster_type": dict(
            zip(map(str, sim["types"]["region"]), sim["types"]["cluster_type"], strict=True)
        ),
    }
    path = out / "truth.json"
    path.write_text(
        json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    written.append(path)
    return written
