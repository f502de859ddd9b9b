r"""A long panel validated once: keys, duplicates, numeric variables, missing values, balance.

:class:`PanelFrame` is the door every panel and spatial estimator goes through. It is built once
from a long DataFrame (one row per entity and period) and then handed on: the linear panel
models select their columns from it, the spatial models read the balanced cube
:math:`(N, T, k)` from it, and the within transformations of :mod:`clusterdx.paneldata.within`
use its integer codes. The same input therefore fails in the same way (a
:class:`~clusterdx.errors.PanelError` naming the column, rows or pairs and the fix) whichever
estimator receives it.

The model is linearmodels' ``PanelData`` (Sheppard et al., ``linearmodels/panel/data.py``): data
indexed by (entity, time), sorted, with entity and period codes. Why ours: ``PanelData`` neither
names the rows at fault nor counts dropped rows, coerces instead of refusing non-numeric columns,
and has no balanced cube; our estimators need all three, and the cube lets the spatial models and
the diagnostics demean with two array means instead of group-bys.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clusterdx.errors import PanelError
from clusterdx.options.common import DEFAULT_MISSING, MISSING, Missing, check_option
from clusterdx.paneldata.within import demean, demean_cube

_SHOW = 5
_MAX_LISTED = 10


def listing(items: Sequence[Any]) -> str:
    """The first items of ``items`` and how many there are, e.g. ``"(0, 0), (1, 1) (2 in all)"``."""
    shown = ", ".join(repr(item) for item in items[:_MAX_LISTED])
    more = f" ... ({len(items)} in all)" if len(items) > _MAX_LISTED else f" ({len(items)} in all)"
    return shown + more


class PanelFrame:
    r"""A long panel checked once and indexed by (entity, time), sorted, with integer codes.

    Parameters
    ----------
    panel : DataFrame
        Long panel with one row per entity and period.
    columns : sequence of str
        Numeric variables (response first, by convention); stored as float64.
    entity, time : str
        Key columns. Periods are numbers or dates (text years such as ``"2015"`` are converted).
    missing : {"raise", "drop"}
        What to do with rows where a variable of ``columns`` or ``extra`` is missing or infinite.
    extra : iterable of str
        Further columns to carry as they are (e.g. a cluster variable); they must not be missing
        either.
    balanced : bool
        Require every entity in every period (the spatial models, the threshold model); an
        unbalanced panel raises at once, naming the missing (entity, time) pairs.

    Attributes
    ----------
    data : DataFrame
        ``columns`` (float64) and ``extra``, indexed by (entity, time) and sorted.
    entities, periods : Index
        Sorted entity and period values present in ``data``.
    entity_codes, time_codes : ndarray of int
        Position of each row's entity in ``entities`` and period in ``periods``.
    rows : ndarray of int
        Position in ``panel`` of each row of ``data`` (to carry other row-aligned values over).
    dropped : int
        Rows dropped for missing values (``missing="drop"``).

    Raises
    ------
    OptionError
        ``missing`` not one of its values.
    PanelError
        ``panel`` not a DataFrame; a key or column not in it; a missing key; duplicate (entity,
        time) pairs (the first listed); a non-numeric variable; a missing or infinite value
        (``missing="raise"``; the column, index labels and first key are named); an unbalanced
        panel (``balanced=True``).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"region": ["b", "a", "b", "a"], "year": [2021, 2021, 2020, 2020],
    ...                      "y": [4.0, 2.0, 3.0, 1.0]})
    >>> pf = PanelFrame(long, ["y"], "region", "year")
    >>> pf.n_entities, pf.n_periods, pf.balanced
    (2, 2, True)
    >>> pf.cube()[:, :, 0]
    array([[1., 2.],
           [3., 4.]])
    >>> PanelFrame(long.iloc[1:], ["y"], "region", "year", balanced=True)
    Traceback (most recent call last):
    ...
    clusterdx.errors.PanelError: the panel is unbalanced: 1 (entity, time) pairs are missing: ('b', 2021) (1 in all); this model needs a balanced panel (every entity in every period). Fill the gaps (e.g. interpolate within entity) or drop the incomplete entities or periods.
    """

    def __init__(
        self,
        panel: pd.DataFrame,
        columns: Sequence[str],
        entity: str,
        time: str,
        *,
        missing: Missing = DEFAULT_MISSING,
        extra: Iterable[str] = (),
        balanced: bool = False,
    ) -> None:
        check_option("missing", missing, MISSING)
        if not isinstance(panel, pd.DataFrame):
            raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
        names = list(map(str, panel.columns))
        for role, key in (("entity", entity), ("time", time)):
            if key not in panel.columns:
                raise PanelError(f"{role} column {key!r} is not in the panel; columns: {names}.")
        columns = list(dict.fromkeys(columns))
        extra = [col for col in dict.fromkeys(extra) if col not in (entity, time, *columns)]
        for col in [*columns, *extra]:
            if col not in panel.columns:
                raise PanelError(f"column {col!r} is not in the panel; columns: {names}.")
        keys = panel[[entity, time]]
        bad_keys = keys.index[keys.isna().any(axis=1)]
        if len(bad_keys):
            raise PanelError(
                f"{entity!r}/{time!r} are missing in rows {list(bad_keys[:_SHOW])}; every row "
                "needs both keys."
            )
        entity_codes, entities = pd.factorize(keys[entity], sort=True)
        time_codes, _ = pd.factorize(keys[time], sort=True)
        key = entity_codes.astype(np.int64) * (int(time_codes.max(initial=0)) + 1) + time_codes
        order = np.argsort(key, kind="stable")  # rows sorted by (entity, period)
        if (key[order][1:] == key[order][:-1]).any():
            duplicated = keys.duplicated(keep=False)
            pairs = list(dict.fromkeys(map(tuple, keys[duplicated].to_numpy().tolist())))[:_SHOW]
            raise PanelError(
                f"the panel has {int(duplicated.sum())} rows sharing an ({entity}, {time}) "
                f"pair, first {pairs}; aggregate or remove the duplicates so each pair is one row."
            )
        values = panel[list(dict.fromkeys([*columns, *extra]))]
        for col in columns:
            if not pd.api.types.is_numeric_dtype(values[col]) or pd.api.types.is_bool_dtype(
                values[col]
            ):
                raise PanelError(
                    f"column {col!r} has dtype {values[col].dtype}, not numeric; convert it "
                    "(e.g. pd.to_numeric) or encode categories as dummy columns."
                )
        bad = values.isna()
        for col in values.columns:
            if pd.api.types.is_float_dtype(values[col]):
                bad[col] |= np.isinf(values[col].to_numpy())
            elif not pd.api.types.is_integer_dtype(values[col]):
                bad[col] |= values[col].isin([np.inf, -np.inf])
        row_bad = bad.to_numpy().any(axis=1)
        n_bad = int(row_bad.sum())
        if n_bad and missing == "raise":
            col = next(c for c in values.columns if bad[c].any())
            rows = list(values.index[bad[col].to_numpy()][:_SHOW])
            first = int(np.flatnonzero(bad[col].to_numpy())[0])
            at_entity, at_time = keys.iloc[[first]].to_numpy().tolist()[0]
            fix = (
                "Impute them and keep every entity in every period (this model needs a "
                "balanced panel)."
                if balanced
                else "Fill them or pass missing='drop' to drop those rows."
            )
            raise PanelError(
                f"column {col!r} is missing or infinite in {int(bad[col].sum())} rows, first "
                f"{rows} (index labels), the first at ({entity}={at_entity!r}, "
                f"{time}={at_time!r}); {n_bad} rows in all have a missing used variable. {fix}"
            )
        order = order[~row_bad[order]]
        raw_periods = keys[time].iloc[order]
        periods = _period_values(raw_periods, time)
        period_codes, period_levels = pd.factorize(periods, sort=True)
        if periods is not raw_periods:
            # text years converted to numbers: sort by the numbers (stable within entities)
            key = entity_codes[order].astype(np.int64) * len(period_levels) + period_codes
            within = np.argsort(key, kind="stable")
            order, period_codes = order[within], period_codes[within]
        ent = entity_codes[order]
        first = np.r_[True, ent[1:] != ent[:-1]] if len(ent) else np.zeros(0, bool)
        index = pd.MultiIndex(
            levels=[entities[ent[first]], pd.Index(period_levels)],
            codes=[np.cumsum(first) - 1, period_codes],
            names=[entity, time],
            verify_integrity=False,
        )
        frame = values.iloc[order].set_axis(index)
        self.data: pd.DataFrame = frame.astype(dict.fromkeys(columns, "float64"))
        self.entity, self.time = entity, time
        self.columns, self.extra = columns, extra
        self.dropped = n_bad
        self.rows = order
        self.entities: pd.Index = index.levels[0]
        self.periods: pd.Index = index.levels[1]
        self.entity_codes = np.asarray(index.codes[0], dtype=np.intp)
        self.time_codes = np.asarray(index.codes[1], dtype=np.intp)
        if balanced:
            self.require_balanced()

    @property
    def n_entities(self) -> int:
        """N, the number of entities."""
        return len(self.entities)

    @property
    def n_periods(self) -> int:
        """T, the number of periods."""
        return len(self.periods)

    @property
    def nobs(self) -> int:
        """Number of rows (entity-periods)."""
        return len(self.data)

    @property
    def balanced(self) -> bool:
        """Whether every entity is observed in every period (nobs = N·T)."""
        return self.nobs == self.n_entities * self.n_periods

    def missing_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """The (entity, period) pairs absent from the panel, in sorted order."""
        present = np.zeros(self.n_entities * self.n_periods, dtype=bool)
        present[self.entity_codes * self.n_periods + self.time_codes] = True
        gaps = np.flatnonzero(~present)
        ents = self.entities[gaps // self.n_periods].tolist()
        pers = self.periods[gaps % self.n_periods].tolist()
        return list(zip(ents, pers, strict=True))

    def require_balanced(self) -> None:
        """Raise ``PanelError`` naming the missing (entity, time) pairs if the panel is unbalanced."""
        if self.balanced:
            return
        gaps = self.missing_pairs()
        raise PanelError(
            f"the panel is unbalanced: {len(gaps)} (entity, time) pairs are missing: "
            f"{listing(gaps)}; this model needs a balanced panel (every entity in every "
            "period). Fill the gaps (e.g. interpolate within entity) or drop the incomplete "
            "entities or periods."
        )

    def require_keys(self, entity: str, time: str) -> None:
        """Raise ``PanelError`` unless ``entity`` and ``time`` are the keys the frame was built with."""
        if (entity, time) != (self.entity, self.time):
            raise PanelError(
                f"entity={entity!r}, time={time!r} differ from the keys the PanelFrame was "
                f"built with ({self.entity!r}, {self.time!r}); pass those."
            )

    def select(self, columns: Sequence[str], extra: Iterable[str] = ()) -> pd.DataFrame:
        """``data`` restricted to ``columns`` and ``extra`` (already validated; rows unchanged).

        Raises
        ------
        PanelError
            A column that the frame was not built with.
        """
        return self.data[self.require_columns([*columns, *extra])]

    def require_columns(self, wanted: Iterable[str]) -> list[str]:
        """``wanted`` without repeats; ``PanelError`` naming those the frame was not built with."""
        wanted = list(dict.fromkeys(wanted))
        absent = [c for c in wanted if c not in self.data.columns]
        if absent:
            raise PanelError(
                f"columns {absent} are not in the validated panel (it holds "
                f"{list(self.data.columns)}); build the PanelFrame with them."
            )
        return wanted

    def assign(self, **values: Any) -> PanelFrame:
        """A copy with numeric columns added or replaced, computed from the validated ones.

        The values (arrays in the row order of ``data``, or Series on its index) are stored as
        float64 and not checked again: derive them from columns the frame validated (an
        interaction, a regime split, a centred variable).
        """
        out = copy.copy(self)
        out.data = self.data.assign(**values).astype(dict.fromkeys(values, "float64"))
        out.columns = list(dict.fromkeys([*self.columns, *values]))
        return out

    def cube(self, columns: Sequence[str] | None = None) -> np.ndarray:
        """The balanced panel as an array of shape (N, T, k): entity i in row i, period t in column t.

        ``columns`` defaults to all numeric columns. Raises ``PanelError`` (see
        :meth:`require_balanced`) when the panel is unbalanced.
        """
        self.require_balanced()
        columns = self.columns if columns is None else list(columns)
        values = self.data[columns].to_numpy(dtype=float)
        return values.reshape(self.n_entities, self.n_periods, len(columns))

    def within(
        self, columns: Sequence[str] | None = None, *, entity: bool = True, time: bool = False
    ) -> np.ndarray:
        r"""The columns with entity and/or period effects projected out, shape (nobs, k).

        One effect: :math:`\ddot x_{it} = x_{it} - \bar x_{i\cdot}` (or :math:`-\bar x_{\cdot t}`);
        both on a balanced panel: :math:`x_{it} - \bar x_{i\cdot} - \bar x_{\cdot t} + \bar x`
        (:func:`~clusterdx.paneldata.within.demean_cube`); both on an unbalanced one: the exact
        projection of :func:`~clusterdx.paneldata.within.demean`.
        """
        columns = self.columns if columns is None else list(columns)
        if self.balanced:
            out = demean_cube(self.cube(columns), entity=entity, time=time)
            return out.reshape(self.nobs, len(columns))
        values = self.data[columns].to_numpy(dtype=float)
        codes = [c for c, on in ((self.entity_codes, entity), (self.time_codes, time)) if on]
        return demean(values, codes)


def as_frame(
    panel: pd.DataFrame | PanelFrame,
    columns: Sequence[str],
    entity: str,
    time: str,
    *,
    missing: Missing = "raise",
    extra: Iterable[str] = (),
    balanced: bool = False,
) -> PanelFrame:
    """``panel`` validated into a :class:`PanelFrame`, or a ``PanelFrame`` handed on as it is.

    How every estimator takes its ``panel`` argument: a DataFrame is validated (the arguments
    are those of :class:`PanelFrame`); a ``PanelFrame`` is not checked again (so ``missing``
    does not apply), only its keys against ``entity`` and ``time``, its columns against
    ``columns`` and ``extra``, and its balance when ``balanced``. A loop that fits one panel
    many times validates it once this way.

    Raises
    ------
    PanelError
        What :class:`PanelFrame` raises; for a ``PanelFrame``, keys other than ``entity`` and
        ``time``, a column it was not built with, or an unbalanced panel (``balanced=True``).
    """
    if not isinstance(panel, PanelFrame):
        return PanelFrame(
            panel, columns, entity, time, missing=missing, extra=extra, balanced=balanced
        )
    panel.require_keys(entity, time)
    panel.require_columns([*columns, *extra])
    if balanced:
        panel.require_balanced()
    return panel


def _period_values(values: pd.Series, time: str) -> pd.Series:
    """Periods as numbers or dates (linearmodels orders periods by value); text years converted."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[numbers.isna()]
    if len(bad):
        raise PanelError(
            f"time column {time!r} has values that are not numbers or dates, e.g. "
            f"{list(dict.fromkeys(bad.astype(str)))[:_SHOW]}; convert it (e.g. strip '年' and "
            "use pd.to_numeric) before fitting."
        )
    return numbers
