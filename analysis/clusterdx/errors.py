"""Exception types raised by clusterdx.

Every error names what is wrong, where (file, row, column, key or id) and how to fix it. Catch
``ClusterDXError`` to handle any of them.
"""

from __future__ import annotations


class ClusterDXError(Exception):
    """Base class of every error raised on purpose by clusterdx."""


class StudySpecError(ClusterDXError):
    """``study.toml`` has an unknown key, a value of the wrong type or a value outside the allowed set."""


class DataError(ClusterDXError):
    """A raw or clean data file cannot be used as it is (encoding, cell type, unit, column, key)."""


class PanelError(ClusterDXError):
    """A panel is malformed: duplicate entity-period, gaps in a balanced design, missing variables."""


class WeightsError(ClusterDXError):
    """A spatial weights matrix does not fit the data: id mismatch, islands, non-square input."""


class EstimationError(ClusterDXError):
    """An estimator cannot proceed: singular design, NaN in the data, parameter on its boundary."""


class ConvergenceError(EstimationError):
    """A numerical optimiser stopped before meeting its convergence criterion."""


class OptionError(StudySpecError, ValueError):
    """A function option outside its allowed set (a ``ValueError`` too, for callers catching that)."""
