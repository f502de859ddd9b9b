"""Parse the ``"y ~ a + b"`` formulas of the panel estimators into column names.

A deliberately small grammar (a response, ``~`` and regressors joined by ``+``): applied papers
enter transformed variables as columns of the panel, so Patsy/formulaic operators are not needed,
and an explicit parser gives error messages that name the offending column. Nothing is handed to
patsy or formulaic (both evaluate Python: ``np.log(x)``, ``x.__class__``): each term must be a name
(`clusterdx.expressions.parse_model_formula`) and a column of the panel.
"""

from __future__ import annotations

from collections.abc import Iterable

from clusterdx.errors import PanelError, StudySpecError
from clusterdx.expressions import parse_model_formula


def parse_formula(formula: str, columns: Iterable[str]) -> tuple[str, list[str]]:
    """Split ``"y ~ a + b"`` into the response and the regressor names.

    Parameters
    ----------
    formula : str
        ``"<response> ~ <regressor> + <regressor> ..."``; names are column names of the panel.
    columns : iterable of str
        The columns of the panel, against which every name is checked.

    Returns
    -------
    tuple of (str, list of str)
        The response and the regressors in formula order.

    Raises
    ------
    PanelError
        If the formula has no single ``~``, no regressor, a term that is not a plain name (the
        message names it and its position), a repeated name, or names that are not columns of
        the panel (all of them are listed).

    Examples
    --------
    >>> parse_formula("dt ~ demand + gov", ["dt", "demand", "gov"])
    ('dt', ['demand', 'gov'])
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise PanelError(
            f"formula {formula!r} must have exactly one '~', as in 'dt ~ demand + gov'."
        )
    lhs, rhs = (part.strip() for part in formula.split("~"))
    terms = [term.strip() for term in rhs.split("+")]
    if not lhs or not rhs or any(not term for term in terms):
        raise PanelError(
            f"formula {formula!r} needs a response left of '~' and regressors joined by '+' "
            "right of it, as in 'dt ~ demand + gov'."
        )
    try:
        parse_model_formula(formula)
    except StudySpecError as exc:
        raise PanelError(str(exc)) from None
    repeated = sorted({term for term in terms if terms.count(term) > 1})
    if repeated:
        raise PanelError(f"formula {formula!r} repeats the regressors {repeated}; list each once.")
    if lhs in terms:
        raise PanelError(f"formula {formula!r} uses the response {lhs!r} as a regressor.")
    available = set(columns)
    unknown = [name for name in [lhs, *terms] if name not in available]
    if unknown:
        raise PanelError(
            f"formula {formula!r} names {unknown}, which are not columns of the panel; "
            f"available columns: {sorted(map(str, available))}."
        )
    return lhs, terms
