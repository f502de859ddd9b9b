"""The check that a Chinese table holds no untranslated Latin words.

Raw variable names (``treat_post``), group codes (``parasitic``) and English phrases must not reach
a Chinese paper table; abbreviations and symbols Chinese journals print as they are
(:data:`LATIN_WHITELIST`) and the surnames in literature references may. Every Chinese table the
pipeline writes passes :func:`check_chinese` first.
"""

from __future__ import annotations

import re

from clusterdx.errors import StudySpecError
from clusterdx.report._grid import Grid

# Latin tokens allowed in Chinese tables: model and test abbreviations, statistics symbols,
# named statistics and standard errors, and the authors the notes cite.
LATIN_WHITELIST: frozenset[str] = frozenset(
    {
        *("SAR", "SDM", "SEM", "SAC", "SDEM", "SLX", "OLS", "IV", "DID", "PSM", "FE", "RE", "GMM"),
        *("PSM-DID",),
        *("Moran's", "I", "E", "R", "N", "W", "p", "z", "t", "F", "P", "Z", "se"),
        *("LM", "LR", "Wald", "LM-lag", "LM-error", "Robust", "Sobel", "Bootstrap", "HC0", "HC1"),
        *("Pearson", "Spearman", "Driscoll-Kraay", "Hausman", "Hansen", "CRV1"),
        *("Cliff", "Ord", "LeSage", "Pace", "Callaway", "Sant'Anna", "Lee", "Yu", "Elhorst"),
        *("Dagum", "Theil", "Rey", "Cohen's", "G", "G_w", "G_nb", "G_t", "T", "L", "H0", "Q"),
        *("Q1", "Q2", "Q3", "Q4", "L1", "L2", "L3", "L4", "rk", "J", "Sargan", "inf"),
        *("Anderson-Rubin", "Cragg-Donald", "Kleibergen-Paap", "Stock-Yogo", "2SLS", "SLS"),
        *("Baron", "Kenny", "Preacher", "Hayes", "Goodman-Bacon", "Stata", "fixest", "G", "K"),
        *("Zhao", "Mammen", "Rademacher"),
        *("GDP", "FDI", "TFP"),
    }
)
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e[-+]\d+")


def latin_tokens(text: str) -> list[str]:
    """Latin words in ``text`` outside :data:`LATIN_WHITELIST` (numbers like ``1.2e-05`` ignored).

    >>> latin_tokens("政策处理×政策后"), latin_tokens("W×treat_post（SDM）")
    ([], ['treat_post'])
    """
    text = _SCIENTIFIC.sub("", text)
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]*(?:['’\-][A-Za-z0-9_]+)*", text)
    return [w for w in words if w not in LATIN_WHITELIST]


def check_chinese(grid: Grid, name: str) -> None:
    """Raise :class:`~clusterdx.errors.StudySpecError` if a Chinese table shows a Latin word.

    The message names the table, the cell and the word, and says how to label it.
    """
    cells = [s.text for row in grid.header for s in row]
    cells += [c for row in grid.body for c in row]
    cells += [grid.title or "", *grid.notes]
    for cell in cells:
        bad = latin_tokens(cell)
        if bad:
            raise StudySpecError(
                f"Chinese table {name!r}: cell {cell!r} shows the untranslated word(s) {bad}; "
                f"give each a Chinese label under [labels] in study.toml (or a Chinese title), "
                f"or write the table with study.language = 'en'"
            )
