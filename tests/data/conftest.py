"""A tiny study on disk (three provinces, three years) for the data-layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterdx.study import Study

BASE_SPEC = {
    "study": {"name": "tiny", "years": [2020, 2022]},
    "paths": {"root": ".", "raw": "raw"},
    "variables": {
        "gdp": {"unit": "亿元"},
        "pop": {"unit": "万人"},
    },
    "sources": [
        {
            "name": "macro",
            "file": "macro.csv",
            "region": "地区",
            "year": "年份",
            "variables": {
                "gdp": {"column": "GDP(万元)", "unit": "万元"},
                "pop": {"column": "人口(万人)", "unit": "万人"},
            },
        }
    ],
}

GOOD_ROWS = [
    ("北京市", 2020, "36102000", "2189"),
    ("北京市", 2021, "40269600", "2189"),
    ("北京市", 2022, "41610900", "2184"),
    ("天津市", 2020, "14083700", "1387"),
    ("天津市", 2021, "15695100", "1373"),
    ("天津市", 2022, "16311300", "1363"),
    ("河北省", 2020, "36206900", "7464"),
    ("河北省", 2021, "40391300", "7448"),
    ("河北省", 2022, "42370400", "7420"),
]


def write_csv(
    path: Path, rows, header=("地区", "年份", "GDP(万元)", "人口(万人)"), encoding="utf-8"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def make_study(tmp_path):
    """Build a `Study` in ``tmp_path`` from raw rows and optional spec overrides."""

    def make(rows=GOOD_ROWS, *, encoding="utf-8", header=None, **overrides) -> Study:
        spec = {**BASE_SPEC, **overrides}
        write_csv(
            tmp_path / "raw" / "macro.csv",
            rows,
            encoding=encoding,
            **({"header": header} if header else {}),
        )
        return Study.from_dict(spec, tmp_path / "study.toml")

    return make
