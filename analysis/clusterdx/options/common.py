"""The options every panel-based public function shares: key columns, missing rows, seed, level.

The defaults of the signature skeleton (``panel, formula | y/x, *, entity, time, effects, cov,
cluster, missing, seed, alpha``, see the `clusterdx.panel` docstring), imported by
`clusterdx.options.panel`, `clusterdx.options.spatial` and the panel-data core
(`clusterdx.paneldata`), so that each default is written once.

Examples
--------
>>> from clusterdx.options import common
>>> common.DEFAULT_ENTITY, common.DEFAULT_TIME, common.MISSING
('region', 'year', ('raise', 'drop'))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, get_args

from clusterdx.errors import OptionError

#: The key columns of the study data, a seeded generator and tests at 5 %.
DEFAULT_ENTITY: Final = "region"
DEFAULT_TIME: Final = "year"
DEFAULT_SEED: Final = 0
DEFAULT_ALPHA: Final = 0.05

#: Rows with a missing used variable: refuse them (naming the rows) or drop them (counted).
Missing = Literal["raise", "drop"]
MISSING: tuple[str, ...] = get_args(Missing)
DEFAULT_MISSING: Missing = "raise"


def check_option(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise ``OptionError`` (a ``StudySpecError``) listing ``allowed`` when ``value`` is not one."""
    if value not in allowed:
        raise OptionError(f"{name}={value!r} is not allowed; use one of {list(allowed)}.")
