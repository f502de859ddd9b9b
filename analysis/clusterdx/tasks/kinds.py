"""The registry of ``[[analyses]]`` kinds: each kind's spec requirements, runner and outputs.

A kind is declared once, here or by `register_kind` in the module that adds it: the study spec
checks an analysis's ``kind`` and required keys against the registry (`clusterdx.study.Analysis`),
the analyses step calls its runner, and `clusterdx.tasks.analyses.analysis_outputs` declares its
files to the pipeline from ``csvs`` / ``figures`` (``<name>_<suffix>.csv`` in ``reports/tables``,
``<name>_<suffix>.png`` in ``reports/figures``) besides the ``<name>.<format>`` table, and, with
``both_languages``, the ``<name>_<other language>.<format>`` table.

A runner is ``runner(study, analysis, frame, tables, figures) -> list[Path]`` (the files it wrote,
equal to the declared ones), given as the function or as ``"module:function"``, imported when the
kind runs (so this module imports no estimator and the spec can read it).

Examples
--------
>>> from clusterdx.tasks.kinds import KINDS, register_kind
>>> KINDS["mediation"].required, KINDS["mediation"].csvs
(('y', 'x', 'm'), ('indirect',))
>>> kind = register_kind("toy", runner=lambda study, a, frame, tables, figs: [], required=("y",))
>>> kind.missing({"y": None})
['y']
>>> del KINDS["toy"]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdx.errors import StudySpecError

Runner = Callable[..., list[Path]]


@dataclass(frozen=True)
class Kind:
    """One analysis kind: what its spec entry needs, what runs it and what it writes."""

    name: str
    runner: Runner | str
    required: tuple[str, ...] = ()
    csvs: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    both_languages: bool = False
    #: Extra check of an entry: returns the problem in words, or None.
    check: Callable[[Any], str | None] | None = None

    def missing(self, entry: Any) -> list[str]:
        """The required keys that ``entry`` (an Analysis or a mapping) leaves empty."""
        get = entry.get if isinstance(entry, Mapping) else lambda key: getattr(entry, key)
        return [key for key in self.required if not get(key)]

    def resolve(self) -> Runner:
        """The runner function (imported first when given as ``"module:function"``)."""
        if isinstance(self.runner, str):
            module, _, name = self.runner.partition(":")
            return getattr(importlib.import_module(module), name)
        return self.runner

    def run(self, *args: Any) -> list[Path]:
        """Call the runner."""
        return self.resolve()(*args)


#: Every registered kind by name, in registration order.
KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    *,
    runner: Runner | str,
    required: tuple[str, ...] = (),
    csvs: tuple[str, ...] = (),
    figures: tuple[str, ...] = (),
    both_languages: bool = False,
    check: Callable[[Any], str | None] | None = None,
) -> Kind:
    """Declare an analysis kind; a second kind of the same name is refused.

    Raises
    ------
    StudySpecError
        If ``name`` is already registered.
    """
    if name in KINDS:
        raise StudySpecError(f"analysis kind {name!r} is already registered; pick another name")
    KINDS[name] = Kind(
        name, runner, tuple(required), tuple(csvs), tuple(figures), both_languages, check
    )
    return KINDS[name]


class OutputsView(Mapping):
    """``{kind: (csv suffixes, figure suffixes)}`` of the registered kinds, read live."""

    def __getitem__(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return KINDS[name].csvs, KINDS[name].figures

    def __iter__(self):
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


def _iv_instruments(entry: Any) -> str | None:
    if not (entry.instruments or entry.historical):
        return "analysis kind 'iv' needs instruments or [[analyses.historical]]"
    return None


def _did_spatial(entry: Any) -> str | None:
    if not isinstance(entry.spatial, bool) and entry.spatial != "none":
        return (
            f"analysis kind 'did' takes spatial = true (a spatial Durbin DID) or false, not "
            f"'{entry.spatial}'"
        )
    return None


_ANALYSES = "clusterdx.tasks.analyses"
_REGRESSION = f"{_ANALYSES}:run_regression"
_MEASUREMENT = "clusterdx.tasks.measurement:run"

# fmt: off

register_kind("mediation", runner=_REGRESSION, required=("y", "x", "m"),
              csvs=("indirect",), figures=("path",))
register_kind("moderation", runner=_REGRESSION, required=("y", "x", "z"),
              csvs=("marginal",))
register_kind("heterogeneity", runner=_REGRESSION,
              required=("formula", "group"), csvs=("tests",))
register_kind("threshold", runner=_REGRESSION, required=("y", "x", "q"),
              csvs=("tests",))
register_kind("did", runner=_REGRESSION, required=("y", "treat_year"),
              csvs=("event_study", "att_gt", "cs_dynamic"), figures=("event_study",),
              check=_did_spatial)
register_kind("disparity", runner=_MEASUREMENT, required=("var",),
              csvs=("components", "within", "between", "distribution"), figures=("kernel3d",),
              both_languages=True)
register_kind("markov", runner=_MEASUREMENT, required=("var",), csvs=("traditional",),
              both_languages=True)
register_kind("convergence", runner=_MEASUREMENT, required=("var",), csvs=("sigma",),
              both_languages=True)
register_kind("typology", runner=_MEASUREMENT, required=("drivers",), csvs=("shares",),
              both_languages=True)
register_kind("obstacle", runner=_MEASUREMENT, required=("var",), csvs=("degrees",),
              both_languages=True)
register_kind("iv", runner=f"{_ANALYSES}:_run_iv", required=("y", "x"), csvs=("diagnostics",),
              check=_iv_instruments)
register_kind("placebo", runner=f"{_ANALYSES}:_run_placebo", required=("y", "treat_year"),
              csvs=("estimates",), figures=("density",))
register_kind("psm_did", runner=f"{_ANALYSES}:_run_psm_did",
              required=("y", "treat_year", "covariates"), csvs=("balance",), figures=("support",))
# fmt: on
