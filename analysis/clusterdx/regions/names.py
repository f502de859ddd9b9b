"""English names, NBS macro-regions and name normalisation for China's administrative units.

Province names are the standard English forms (Beijing, ..., Xinjiang). City and county English
names are derived at build time from the Chinese name by ``pypinyin`` (a build-time-only
dependency, not needed at run time): the administrative suffix (市, 区, 县, 自治州 with its ethnic
groups, ...) is dropped, syllables are joined and capitalised, and an apostrophe separates a
syllable that starts with a vowel (``Xi'an``, ``Lu'an``), as in the Hanyu Pinyin orthography rules
(GB/T 16159-2012). Names are therefore not unique below province level: use codes as ids.

Macro-regions are the four regions of the National Bureau of Statistics (NBS, 2011, "东西中部和东北
地区划分方法"): east, central, west, northeast.
"""

from __future__ import annotations

import re

SAR_TAIWAN = {710000: "Taiwan", 810000: "Hong Kong", 820000: "Macao"}
SAR_TAIWAN_REGION = "sar_taiwan"

PROVINCE_EN: dict[int, str] = {
    110000: "Beijing",
    120000: "Tianjin",
    130000: "Hebei",
    140000: "Shanxi",
    150000: "Inner Mongolia",
    210000: "Liaoning",
    220000: "Jilin",
    230000: "Heilongjiang",
    310000: "Shanghai",
    320000: "Jiangsu",
    330000: "Zhejiang",
    340000: "Anhui",
    350000: "Fujian",
    360000: "Jiangxi",
    370000: "Shandong",
    410000: "Henan",
    420000: "Hubei",
    430000: "Hunan",
    440000: "Guangdong",
    450000: "Guangxi",
    460000: "Hainan",
    500000: "Chongqing",
    510000: "Sichuan",
    520000: "Guizhou",
    530000: "Yunnan",
    540000: "Tibet",
    610000: "Shaanxi",
    620000: "Gansu",
    630000: "Qinghai",
    640000: "Ningxia",
    650000: "Xinjiang",
    **SAR_TAIWAN,
}

ENGLISH_ALIASES: dict[str, int] = {
    "xizang": 540000,
    "nei mongol": 150000,
    "nei menggu": 150000,
    "neimenggu": 150000,
    "macau": 820000,
}

MACRO_REGION: dict[int, str] = {
    **dict.fromkeys(
        [110000, 120000, 130000, 310000, 320000, 330000, 350000, 370000, 440000, 460000], "east"
    ),
    **dict.fromkeys([140000, 340000, 360000, 410000, 420000, 430000], "central"),
    **dict.fromkeys(
        [
            150000,
            450000,
            500000,
            510000,
            520000,
            530000,
            540000,
            610000,
            620000,
            630000,
            640000,
            650000,
        ],
        "west",
    ),
    **dict.fromkeys([210000, 220000, 230000], "northeast"),
    **dict.fromkeys(SAR_TAIWAN, SAR_TAIWAN_REGION),
}

ETHNIC_GROUPS = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
]

_AUTONOMOUS = re.compile(r"自治(区|州|县|旗)$")
_ETHNIC = re.compile("(" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + ")族$")
# Official names drop 族 after some groups: 新疆维吾尔自治区, 博尔塔拉蒙古自治州, 克孜勒苏柯尔克孜自治州.
# Only groups of two or more characters are stripped without 族 (a one-character stem such as 水 or
# 京 could be part of a place name).
_ETHNIC_BARE = re.compile(
    "(" + "|".join(sorted((g for g in ETHNIC_GROUPS if len(g) > 1), key=len, reverse=True)) + ")$"
)
_GENERIC_SUFFIXES = ("特别行政区", "地区", "林区", "省", "市", "区", "县", "旗", "盟")
_VOWEL_START = ("a", "e", "o")


def base_name(name_zh: str) -> str:
    """Chinese name without its administrative suffix: ``"延边朝鲜族自治州"`` -> ``"延边"``.

    At most one generic suffix is removed and never down to an empty string, so ``"城区"`` stays
    ``"城区"`` and ``"沙市区"`` becomes ``"沙市"``.
    """
    stem = _AUTONOMOUS.sub("", name_zh)
    if stem != name_zh:
        previous = None
        while previous != stem:
            previous, stem = stem, _ETHNIC.sub("", stem)
        return stem or name_zh
    for suffix in _GENERIC_SUFFIXES:
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


def short_name(name_zh: str) -> str:
    """The short form people write: `base_name` without a trailing ethnic group named without 族.

    Official names drop 族 after some groups (新疆维吾尔自治区, 博尔塔拉蒙古自治州), which `base_name`
    keeps, so that the committed English names stay as derived. Only groups of two or more
    characters are stripped this way, never down to one character (内蒙古 stays 内蒙古).

    Examples
    --------
    >>> short_name("新疆维吾尔自治区"), short_name("内蒙古自治区"), short_name("广西壮族自治区")
    ('新疆', '内蒙古', '广西')
    """
    stem = base_name(name_zh)
    if stem == name_zh:
        return stem
    bare = _ETHNIC_BARE.sub("", stem)
    return bare if len(bare) >= 2 else stem


def pinyin_name(name_zh: str) -> str:
    """Romanise a city or county name: ``"西安市"`` -> ``"Xi'an"`` (needs ``pypinyin``).

    ü is kept (``"吕梁市"`` -> ``"Lüliang"``), as in the official orthography.
    """
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(base_name(name_zh), style=Style.NORMAL, v_to_u=True)
    text = syllables[0]
    for syllable in syllables[1:]:
        text += ("'" if syllable.startswith(_VOWEL_START) else "") + syllable
    return text[:1].upper() + text[1:]


def normalise(name: str | int | float) -> str:
    """Key used by ``lookup``: lower case, single spaces, no surrounding whitespace.

    A code that a spreadsheet turned into a float (``440000.0``, ``"440000.0"``) is read as the
    integer code, since a column of codes with a blank cell is stored as floats by Excel and pandas.

    Examples
    --------
    >>> normalise("  Inner   Mongolia "), normalise(440000.0), normalise("440000.0")
    ('inner mongolia', '440000', '440000')
    """
    text = " ".join(str(name).strip().lower().split())
    if re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0]
    return text
