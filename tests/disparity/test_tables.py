"""Disparity tables show the numbers of the results they are built from."""

from __future__ import annotations

import pandas as pd

from clusterdx.disparity import dagum_gini, markov, theil
from clusterdx.disparity.tables import confusion_table, disparity_table, markov_table


def test_disparity_table_cells():
    # hand example of test_dagum: G = 17/52 = 0.327, G_w share 7/17 = 41.18 %
    t = pd.DataFrame(
        {"y": [1.0, 4.0, 2.0, 6.0], "g": ["east", "east", "west", "west"], "year": 2020}
    )
    res = dagum_gini(t, "y", "g")
    table = disparity_table(res, theil(t, "y", "g"), lang="en")
    assert table.grid.header[1][2].text == "East"
    assert table.grid.body[0][:2] == ("2020", "0.327")
    assert table.grid.body[0][4:7] == ("41.18", "35.29", "23.53")


def test_markov_table_counts():
    values = {1: [1, 5, 6], 2: [2, 3, 7], 3: [8, 4, 9], 4: [10, 11, 12]}
    frame = pd.DataFrame(
        [(r, 2000 + t, float(v)) for r, vs in values.items() for t, v in enumerate(vs)],
        columns=["region", "year", "y"],
    )
    table = markov_table(markov(frame, "y", classes=2), lang="zh")
    assert table.grid.body == (("Q1", "5", "0.600", "0.400"), ("Q2", "3", "0.333", "0.667"))


def test_confusion_table_note():
    m = pd.DataFrame(
        [[2, 0, 0], [0, 1, 0], [0, 1, 1]],
        index=["symbiotic", "epiphytic", "parasitic"],
        columns=["symbiotic", "epiphytic", "parasitic"],
    )
    table = confusion_table(m, 0.8, 0.6875, lang="zh")
    assert table.grid.body[2] == ("寄生型", "0", "1", "1")
    assert table.grid.notes[0].endswith("一致率 80.0%，Cohen's κ = 0.688。")
