"""Firm-level digital transformation from text: keyword frequencies by dimension (Wu et al. 2021).

Wu Fei, Hu Huizhi, Lin Huiyan & Ren Xiaoyi (2021), 《企业数字化转型与资本市场表现——来自股票流动性的
经验证据》, 管理世界 37(7): 130–144, count the keywords of five dimensions (artificial intelligence,
blockchain, cloud computing, big data, digital-technology application) in annual reports and take

    DT_ft = ln(1 + Σ_d Σ_{k∈d} n_{k,ft})

for firm f in year t, where n_{k,ft} is the number of occurrences of keyword k in the firm's texts of
that year. The default dictionary ships in ``indicators/data/digital_keywords.json``; pass any mapping
dimension → keywords to replace it. Regional measures are the region-year mean of DT_ft over firms,
and the mean weighted by revenue (`regional_intensity`).

Matching rule (decided and tested): **the longest keyword wins and no text is counted twice.** A
keyword nested in a longer keyword ("移动互联" inside "移动互联网") is not counted again; a keyword
inside a longer ordinary word is counted ("大数据中心" counts one 大数据). Two methods:

``method="jieba"`` (default, the literature's tool)
    Segments with a private `jieba.Tokenizer` (HMM off, deterministic) to whose dictionary every
    keyword is added with the frequency of jieba's most frequent word, so a keyword is one token and
    ordinary words around it do not split it; then counts tokens equal to a keyword. Being a
    most-probable segmentation, it reads keywords in context: "互联网联盟" is 互联网 + 联盟 and
    holds no 网联. Where two keywords overlap without nesting ("移动互联网联" = 移动互联网 ∪ 网联)
    it prefers covering more text by keywords (移动互联 + 网联). About 2 MB of text per second.
``method="scan"``
    Leftmost-longest scan of the lower-cased text (one compiled regular expression, alternatives
    longest first): exactly the rule above without reading context ("互联网联盟" holds one 网联,
    "移动互联网联" one 移动互联网), about 100 times faster; for corpora of tens of thousands of
    reports.

Matching is case-insensitive. Hand-written here because no library counts a dimensioned keyword
dictionary under this longest-match rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from clusterdx.errors import DataError

Method = Literal["jieba", "scan"]
METHODS = ("jieba", "scan")
DEFAULT_DICTIONARY = Path(__file__).resolve().parent / "data" / "digital_keywords.json"


def load_dictionary(path: str | Path | None = None) -> dict[str, list[str]]:
    """Read a keyword dictionary ``{"dimensions": {dimension: [keyword, ...]}}`` (default: Wu et al.).

    Parameters
    ----------
    path
        A UTF-8 JSON file; ``None`` reads ``indicators/data/digital_keywords.json`` (the five
        dimensions of Wu et al. 2021). Keywords are stripped and lower-cased; a keyword listed under
        two dimensions is a `DataError`.

    Returns
    -------
    dict[str, list[str]]
        Dimension → keywords, in file order.

    Examples
    --------
    >>> default = load_dictionary()
    >>> sorted(default)
    ['ai', 'application', 'bigdata', 'blockchain', 'cloud']
    >>> default["cloud"][:3]
    ['云计算', '流计算', '图计算']

    A dictionary of one's own, e.g. for an industry-specific study:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "keywords.json"
    ...     _ = path.write_text('{"dimensions": {"iot": ["物联网", "IoT"]}}', encoding="utf-8")
    ...     load_dictionary(path)
    {'iot': ['物联网', 'iot']}
    """
    path = DEFAULT_DICTIONARY if path is None else Path(path)
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"keyword dictionary {path}: cannot be read as JSON ({exc})") from None
    if not isinstance(content, dict) or not isinstance(content.get("dimensions"), dict):
        raise DataError(
            f"keyword dictionary {path}: needs a top-level 'dimensions' object "
            '{"dimension": ["keyword", ...]}'
        )
    return _validated(content["dimensions"])


def _validated(dictionary: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    if not dictionary:
        raise DataError("keyword dictionary is empty: give at least one dimension with keywords")
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for dimension, words in dictionary.items():
        if isinstance(words, str):
            raise DataError(f"keyword dictionary: dimension '{dimension}' needs a list of keywords")
        cleaned = []
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise DataError(
                    f"keyword dictionary: dimension '{dimension}' has an empty or non-text keyword"
                )
            key = word.strip().lower()
            if key in seen and seen[key] != dimension:
                raise DataError(
                    f"keyword dictionary: '{word}' is listed under both '{seen[key]}' and "
                    f"'{dimension}'; keep it in one dimension"
                )
            if key not in seen:
                seen[key] = dimension
                cleaned.append(key)
        if not cleaned:
            raise DataError(f"keyword dictionary: dimension '{dimension}' has no keywords")
        out[str(dimension)] = cleaned
    return out


class KeywordCounter:
    """Counts keyword occurrences per dimension in one text (reusable across document batches).

    Parameters
    ----------
    dictionary
        Mapping dimension → keywords; ``None`` loads the default (Wu et al. 2021).
    method
        ``"jieba"`` or ``"scan"`` (see module docstring).

    Examples
    --------
    >>> counter = KeywordCounter(
    ...     {"bigdata": ["大数据"], "cloud": ["云计算", "云平台"]}, method="scan"
    ... )
    >>> counter.dimensions
    ['bigdata', 'cloud']
    >>> counter.tokens("建设大数据中心，上云平台")
    ['大数据', '云平台']
    >>> counter.count("大数据中心上云平台，云计算与大数据").tolist()
    [2, 2]
    >>> counter.count_many(["大数据", "云计算、云平台", "年度报告"]).to_dict("list")
    {'bigdata': [1, 0, 0], 'cloud': [0, 2, 0]}
    """

    def __init__(
        self, dictionary: Mapping[str, Iterable[str]] | None = None, method: Method = "jieba"
    ) -> None:
        if method not in METHODS:
            raise DataError(f"keyword method must be one of {list(METHODS)}, got {method!r}")
        self.dictionary = load_dictionary() if dictionary is None else _validated(dictionary)
        self.dimensions = list(self.dictionary)
        self.method = method
        self._column = {
            word: j for j, words in enumerate(self.dictionary.values()) for word in words
        }
        if method == "scan":
            ordered = sorted(self._column, key=lambda w: (-len(w), w))
            self._pattern = re.compile("|".join(re.escape(w) for w in ordered))
        else:
            import jieba

            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            frequency = max(tokenizer.FREQ.values())
            for word in self._column:
                tokenizer.add_word(word, freq=frequency)
            self._tokenizer = tokenizer

    def tokens(self, text: str) -> list[str]:
        """The keyword occurrences of ``text``, in order (lower-cased)."""
        lowered = text.lower()
        if self.method == "scan":
            return self._pattern.findall(lowered)
        return [t for t in self._tokenizer.cut(lowered, HMM=False) if t in self._column]

    def count(self, text: str) -> np.ndarray:
        """Occurrences per dimension (int64 array in the order of ``dimensions``)."""
        counts = np.zeros(len(self.dimensions), dtype="int64")
        for token in self.tokens(text):
            counts[self._column[token]] += 1
        return counts

    def count_many(self, texts: Iterable, index: pd.Index | None = None) -> pd.DataFrame:
        """One row of counts per text; a missing or non-text entry is a `DataError` naming it."""
        rows = []
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                where = index[position] if index is not None else position
                raise DataError(
                    f"keyword counting: text at row {where!r} is {text!r}, not a string; "
                    "drop or fill missing documents first"
                )
            rows.append(self.count(text))
        matrix = np.vstack(rows) if rows else np.zeros((0, len(self.dimensions)), dtype="int64")
        return pd.DataFrame(matrix, columns=self.dimensions, index=index)


def _intensity(counts: pd.DataFrame, dimensions: list[str]) -> pd.DataFrame:
    total = counts[dimensions].sum(axis=1)
    return counts.assign(total=total, intensity=np.log1p(total))


def keyword_intensity(
    texts: pd.Series | pd.DataFrame,
    dictionary: Mapping[str, Iterable[str]] | None = None,
    method: Method = "jieba",
    text: str = "text",
    firm: str = "firm",
    time: str = "year",
) -> pd.DataFrame:
    """Keyword counts by dimension and DT = ln(1 + total) (module formula).

    Parameters
    ----------
    texts
        A Series of documents (result per document, same index), or a DataFrame with columns
        ``text``, ``firm``, ``time`` (counts summed over the documents of a firm-year; result indexed
        by (firm, time)).
    dictionary
        Mapping dimension → keywords; ``None`` loads ``indicators/data/digital_keywords.json``.
    method
        ``"jieba"`` (segmentation) or ``"scan"`` (leftmost-longest substring scan).

    Returns
    -------
    pd.DataFrame
        One column of counts per dimension, ``total`` and ``intensity`` = ln(1 + total).

    Examples
    --------
    >>> docs = pd.Series(["建设大数据中心与移动互联网平台", "云计算"])
    >>> keyword_intensity(docs, {"bigdata": ["大数据"], "app": ["移动互联", "移动互联网"],
    ...                          "cloud": ["云计算"]}, method="scan")["total"].tolist()
    [2, 1]
    """
    counter = KeywordCounter(dictionary, method)
    if isinstance(texts, pd.Series):
        return _intensity(counter.count_many(texts, texts.index), counter.dimensions)
    if not isinstance(texts, pd.DataFrame):
        raise DataError("keyword_intensity: texts must be a pandas Series or DataFrame")
    absent = [c for c in (text, firm, time) if c not in texts.columns]
    if absent:
        raise DataError(
            f"keyword_intensity: column(s) {absent} absent; available {list(texts.columns)}"
        )
    counts = counter.count_many(texts[text], texts.index)
    summed = counts.groupby([texts[firm], texts[time]]).sum()
    return _intensity(summed, counter.dimensions)


def regional_intensity(
    firm_year: pd.DataFrame,
    value: str = "intensity",
    region: str = "region",
    time: str = "year",
    weight: str | None = None,
) -> pd.DataFrame:
    """Region-year mean of the firm measure, and its ``weight``-weighted mean (e.g. revenue).

        mean_rt = (1/N_rt) Σ_f DT_ft,    weighted_rt = Σ_f R_ft DT_ft / Σ_f R_ft

    Returns
    -------
    pd.DataFrame
        Indexed by (region, time): ``mean``, ``firms`` and, with ``weight``, ``weighted``.

    Examples
    --------
    >>> t = pd.DataFrame({"region": 1, "year": 2020, "intensity": [1.0, 3.0],
    ...                   "revenue": [3.0, 1.0]})
    >>> regional_intensity(t, weight="revenue").to_dict("records")   # (1+3)/2, (3·1 + 1·3)/4
    [{'mean': 2.0, 'firms': 2, 'weighted': 1.5}]
    """
    needed = [value, region, time] + ([weight] if weight else [])
    absent = [c for c in needed if c not in firm_year.columns]
    if absent:
        raise DataError(
            f"regional_intensity: column(s) {absent} absent; available {list(firm_year.columns)}"
        )
    for column in needed[:1] + needed[3:]:
        values = firm_year[column].astype("float64")
        bad = values.isna() | (values < 0)
        if bad.any():
            rows = firm_year.index[bad][:5].tolist()
            raise DataError(
                f"regional_intensity: column '{column}' is missing or negative on rows {rows}"
            )
    keys = [firm_year[region], firm_year[time]]
    grouped = firm_year[value].astype("float64").groupby(keys)
    out = pd.DataFrame({"mean": grouped.mean(), "firms": grouped.size()})
    if weight:
        w = firm_year[weight].astype("float64")
        total = w.groupby(keys).sum()
        if (total == 0).any():
            example = total.index[total == 0][0]
            raise DataError(f"regional_intensity: '{weight}' sums to 0 in {example}; no weights")
        out["weighted"] = (w * firm_year[value]).groupby(keys).sum() / total
    return out
