"""How estimation results show in a terminal and in Jupyter.

:class:`ResultDisplay` gives a result a one-line ``repr`` and a ``_repr_html_`` (the one-column
paper table of :class:`clusterdx.report.RegressionTable`); :class:`Summary` is what ``summary()``
returns: the plain-text summary (a ``str``, so existing code keeps working) that renders as an
HTML table in a notebook and gives its LaTeX with :meth:`Summary.as_latex`.
"""

from __future__ import annotations

from typing import Any


def _table(result: Any):
    from clusterdx.report import RegressionTable

    return RegressionTable([result], lang="en", digits="auto")


class Summary(str):
    """The text summary of ``result``, with an HTML and a LaTeX rendering of its table."""

    result: Any

    def __new__(cls, text: str, result: Any) -> Summary:
        self = super().__new__(cls, text)
        self.result = result
        return self

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        head = "<br>".join(str(self).split("\n")[:1])
        return f"<p>{head}</p>" + _table(self.result).to_html()

    def as_latex(self) -> str:
        """The result as a booktabs LaTeX table (``RegressionTable.to_latex``)."""
        return _table(self.result).to_latex()


class ResultDisplay:
    """Mixin: a one-line ``repr`` and an HTML table for notebooks (dataclasses set ``repr=False``)."""

    def __repr__(self) -> str:
        model = str(getattr(self, "model", "")).upper()
        nobs = getattr(self, "nobs", "?")
        terms = len(getattr(self, "params", ()))
        return (
            f"<{type(self).__name__} {model} {getattr(self, 'depvar', '')}: "
            f"{terms} parameters, N={nobs}>"
        )

    def _repr_html_(self) -> str:
        return _table(self).to_html()
