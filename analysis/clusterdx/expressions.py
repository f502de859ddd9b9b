"""Safe arithmetic expressions of the study spec: tokenise, parse and evaluate over the panel.

A study file is data: opening one must be as safe as opening a spreadsheet. The ``formula`` of an
indicator recipe (``"log(retail / population)"``) is therefore parsed by this module's own small
grammar, never handed to ``eval``, ``DataFrame.eval``/``query`` or a formula library that falls back to
Python (pandas' python engine, patsy and formulaic all evaluate arbitrary Python, e.g.
``x.__class__`` or ``np.log(x)``). Written here because no maintained package offers a numpy-vectorised
evaluator with a closed grammar and error messages naming the offending token.

Grammar (whitespace ignored; positions in messages count characters from 1)::

    expression  := comparison
    comparison  := additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
    additive    := term { ("+" | "-") term }
    term        := unary { ("*" | "/") unary }
    unary       := ("-" | "+") unary | power
    power       := atom [ "**" unary ]
    atom        := NUMBER | NAME | FUNCTION "(" expression { "," expression } ")" | "(" expression ")"

``NAME`` is a column of the panel (a variable or an earlier indicator): letters (any script), digits
and ``_``, not starting with a digit. ``FUNCTION`` is one of `FUNCTIONS`; nothing else is callable.
Everything else (attribute access ``.``, subscripts ``[ ]``, strings, ``@``, ``=``, keyword
arguments, ``lambda``, ...) is refused with a `StudySpecError` naming the token and its position.

Panel model formulas (``"dt ~ demand + gov"``) have their own, smaller grammar: `parse_model_formula`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from clusterdx.errors import DataError, StudySpecError

if TYPE_CHECKING:
    import pandas as pd


def _shift(values: np.ndarray, frame: pd.DataFrame, k: int, entity: str, time: str) -> np.ndarray:
    """Value of the same entity in calendar period t − k (NaN when that period is absent)."""
    import pandas as pd

    absent = [c for c in (entity, time) if c not in frame.columns]
    if absent:
        raise DataError(f"lag/lead/diff need the columns {absent} of the panel")
    keys = pd.MultiIndex.from_arrays([frame[entity].to_numpy(), frame[time].to_numpy()])
    series = pd.Series(values, index=keys)
    if series.index.has_duplicates:
        raise DataError(
            f"lag/lead/diff need one row per ({entity}, {time}); the panel repeats some"
        )
    wanted = pd.MultiIndex.from_arrays([frame[entity].to_numpy(), frame[time].to_numpy() - k])
    return series.reindex(wanted).to_numpy(dtype="float64")


@dataclass(frozen=True)
class Function:
    """One callable of the grammar: its arity, whether its last argument is a period count ``k``."""

    arity: tuple[int, int]
    doc: str
    apply: Callable
    periods: bool = False


#: The only functions a formula may call (README's "Formula grammar" lists exactly these).
FUNCTIONS: dict[str, Function] = {
    "log": Function((1, 1), "natural logarithm", np.log),
    "log1p": Function((1, 1), "ln(1 + x)", np.log1p),
    "exp": Function((1, 1), "exponential", np.exp),
    "sqrt": Function((1, 1), "square root", np.sqrt),
    "abs": Function((1, 1), "absolute value", np.abs),
    "min": Function((2, 2), "element-wise minimum of two values", np.fmin),
    "max": Function((2, 2), "element-wise maximum of two values", np.fmax),
    "where": Function((3, 3), "where(condition, a, b): a where the condition holds, else b", None),
    "lag": Function((1, 2), "lag(x, k=1): x of the same region in calendar year t − k", None, True),
    "lead": Function((1, 2), "lead(x, k=1): x of the same region in year t + k", None, True),
    "diff": Function((1, 2), "diff(x, k=1): x − lag(x, k)", None, True),
}

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/<>(),])"
)
_REFUSED = {
    ".": "attribute access is not allowed",
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "@": "'@' (local variables) is not allowed",
    "=": "assignment and keyword arguments are not allowed",
    '"': "strings are not allowed",
    "'": "strings are not allowed",
    "`": "backquoted names are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    ":": "':' is not allowed",
    ";": "';' is not allowed",
    "%": "'%' is not allowed",
    "&": "'&' is not allowed; use where(...) with a comparison",
    "|": "'|' is not allowed; use where(...) with a comparison",
    "~": "'~' is not allowed",
    "^": "'^' is not allowed; write powers as **",
}
#: Deepest nesting of parentheses and function calls (keeps the recursive parser far from Python's
#: recursion limit).
MAX_DEPTH = 50
_KEYWORDS = {"lambda", "import", "and", "or", "not", "if", "else", "for", "in", "is"}
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_COMPARE |= {"==": np.equal, "!=": np.not_equal}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}


def _grammar_hint() -> str:
    return (
        "formulas use column names, numbers, + - * / **, comparisons and the functions "
        + ", ".join(FUNCTIONS)
    )


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int  # 1-based character position


@dataclass(frozen=True)
class Node:
    """A parsed expression: ``kind`` is number, name, unary, binary or call."""

    kind: str
    value: object
    args: tuple[Node, ...]
    pos: int


def _refuse(text: str, token: str, pos: int, why: str) -> StudySpecError:
    return StudySpecError(
        f"formula {text!r}: {token!r} at position {pos}: {why}; {_grammar_hint()}"
    )


def tokenize(text: str) -> list[Token]:
    """Split a formula into tokens, refusing any character outside the grammar.

    Examples
    --------
    >>> [t.text for t in tokenize("log(gdp / 人口) ** 2")]
    ['log', '(', 'gdp', '/', '人口', ')', '**', '2']
    >>> tokenize("gdp.__class__")
    Traceback (most recent call last):
    clusterdx.errors.StudySpecError: formula 'gdp.__class__': '.' at position 4: attribute access is not allowed; formulas use column names, numbers, + - * / **, comparisons and the functions log, log1p, exp, sqrt, abs, min, max, where, lag, lead, diff
    """
    if not isinstance(text, str) or not text.strip():
        raise StudySpecError(f"formula {text!r} is empty; {_grammar_hint()}")
    tokens, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            char = text[at]
            why = _REFUSED.get(char, "this character is not part of the formula grammar")
            raise _refuse(text, char, at + 1, why)
        if match.lastgroup != "space":
            word = match.group()
            if match.lastgroup == "name" and word in _KEYWORDS:
                raise _refuse(text, word, at + 1, "Python keywords are not allowed")
            tokens.append(Token(match.lastgroup, word, at + 1))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, *texts: str) -> Token | None:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in texts:
            self.at += 1
            return token
        return None

    def fail(self, why: str) -> StudySpecError:
        token = self.peek()
        if token is None:
            return StudySpecError(
                f"formula {self.text!r}: unexpected end of formula: {why}; {_grammar_hint()}"
            )
        return _refuse(self.text, token.text, token.pos, why)

    def parse(self) -> Node:
        node = self.comparison()
        if self.peek() is not None:
            raise self.fail("expected an operator or the end of the formula")
        return node

    def comparison(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the formula nests deeper than {MAX_DEPTH} levels")
        try:
            return self._comparison()
        finally:
            self.depth -= 1

    def _comparison(self) -> Node:
        left = self.additive()
        op = self.take(*_COMPARE)
        if op is None:
            return left
        node = Node("binary", op.text, (left, self.additive()), op.pos)
        if self.take(*_COMPARE):
            raise _refuse(
                self.text,
                self.tokens[self.at - 1].text,
                self.tokens[self.at - 1].pos,
                "chained comparisons are not allowed",
            )
        return node

    def additive(self) -> Node:
        node = self.term()
        while (op := self.take("+", "-")) is not None:
            node = Node("binary", op.text, (node, self.term()), op.pos)
        return node

    def term(self) -> Node:
        node = self.unary()
        while (op := self.take("*", "/")) is not None:
            node = Node("binary", op.text, (node, self.unary()), op.pos)
        return node

    def unary(self) -> Node:
        signs = []
        while (op := self.take("-", "+")) is not None:
            signs.append(op)
        node = self.power()
        for op in reversed(signs):
            node = Node("unary", op.text, (node,), op.pos)
        return node

    def power(self) -> Node:
        base = self.atom()
        op = self.take("**")
        if op is None:
            return base
        return Node("binary", "**", (base, self.unary()), op.pos)

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.fail("expected a name, a number or '('")
        if token.kind == "number":
            self.at += 1
            return Node("number", float(token.text), (), token.pos)
        if token.kind == "name":
            self.at += 1
            if self.take("(") is None:
                return Node("name", token.text, (), token.pos)
            if token.text not in FUNCTIONS:
                raise _refuse(self.text, token.text, token.pos, "this function is not allowed")
            args = [self.comparison()]
            while self.take(","):
                args.append(self.comparison())
            if self.take(")") is None:
                raise self.fail("expected ',' or ')' in the argument list")
            return self._call(token, tuple(args))
        if self.take("("):
            node = self.comparison()
            if self.take(")") is None:
                raise self.fail("expected ')'")
            return node
        raise self.fail("expected a name, a number or '('")

    def _call(self, token: Token, args: tuple[Node, ...]) -> Node:
        spec = FUNCTIONS[token.text]
        low, high = spec.arity
        if not low <= len(args) <= high:
            count = str(low) if low == high else f"{low} or {high}"
            raise _refuse(
                self.text, token.text, token.pos, f"takes {count} argument(s), got {len(args)}"
            )
        if spec.periods and len(args) == 2:
            k = args[1]
            if k.kind != "number" or k.value != int(k.value) or k.value < 1:
                raise _refuse(
                    self.text, token.text, token.pos, "k must be a whole number of years >= 1"
                )
        return Node("call", token.text, args, token.pos)


def parse(text: str) -> Node:
    """Parse a formula into a tree, or raise `StudySpecError` naming the offending token.

    Examples
    --------
    >>> parse("100 * st_exp / fiscal_exp").kind
    'binary'
    >>> sorted(names(parse("log(retail / population) + lag(gdp)")))
    ['gdp', 'population', 'retail']
    >>> parse("system(gdp)")
    Traceback (most recent call last):
    clusterdx.errors.StudySpecError: formula 'system(gdp)': 'system' at position 1: this function is not allowed; formulas use column names, numbers, + - * / **, comparisons and the functions log, log1p, exp, sqrt, abs, min, max, where, lag, lead, diff
    """
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """The column names a parsed formula reads."""
    if node.kind == "name":
        return {str(node.value)}
    return set().union(*(names(arg) for arg in node.args)) if node.args else set()


def evaluate(
    text: str, frame: pd.DataFrame, *, entity: str = "region", time: str = "year"
) -> np.ndarray:
    """Evaluate a formula over the rows of ``frame``, vectorised; return float64 values per row.

    Names are columns of ``frame``; ``lag``/``lead``/``diff`` look up the same ``entity`` in calendar
    period t ∓ k (missing when that period is absent). Comparisons give 1.0 / 0.0. Invalid
    operations (log of 0, division by 0) give NaN or ±inf rather than raising: the caller reports
    the non-finite rows.

    Raises
    ------
    StudySpecError
        The formula is outside the grammar (see the module docstring).
    DataError
        A name is not a column of ``frame``, or a column is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2021],
    ...                       "gdp": [10.0, 12.0, 6.0, 9.0], "pop": [2.0, 2.0, 3.0, 3.0]})
    >>> evaluate("gdp / pop", panel).tolist()
    [5.0, 6.0, 2.0, 3.0]
    >>> evaluate("diff(gdp)", panel).tolist()
    [nan, 2.0, nan, 3.0]
    >>> evaluate("where(gdp > 8, 1, -1) * 2 ** 2", panel).tolist()
    [4.0, 4.0, -4.0, 4.0]
    """
    tree = parse(text)
    absent = sorted(names(tree) - {str(c) for c in frame.columns})
    if absent:
        raise DataError(
            f"formula {text!r} names {absent}, which are not columns of the panel (variables or "
            f"earlier indicators); available: {sorted(map(str, frame.columns))}"
        )
    with np.errstate(all="ignore"):
        out = _eval(tree, text, frame, entity, time)
    return np.broadcast_to(np.asarray(out, dtype="float64"), (len(frame),)).copy()


def _is_number_column(column: pd.Series) -> bool:
    """Numeric and not boolean (pandas is already loaded: ``column`` is one of its Series)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return is_numeric_dtype(column) and not is_bool_dtype(column)


def _eval(node: Node, text: str, frame: pd.DataFrame, entity: str, time: str):
    if node.kind == "number":
        return node.value
    if node.kind == "name":
        column = frame[node.value]
        if not _is_number_column(column):
            raise DataError(
                f"formula {text!r}: column {node.value!r} is not numeric ({column.dtype})"
            )
        return column.to_numpy(dtype="float64")
    args = [_eval(arg, text, frame, entity, time) for arg in node.args]
    if node.kind == "unary":
        return -args[0] if node.value == "-" else args[0]
    if node.kind == "binary":
        if node.value in _COMPARE:
            left, right = (np.asarray(a, dtype="float64") for a in args)
            out = _COMPARE[node.value](left, right).astype("float64")
            return np.where(np.isnan(left) | np.isnan(right), np.nan, out)
        return _ARITH[node.value](*args)
    name = str(node.value)
    if name == "where":
        condition = np.asarray(args[0], dtype="float64")
        return np.where(np.isnan(condition), np.nan, np.where(condition != 0, args[1], args[2]))
    if FUNCTIONS[name].periods:
        k = int(args[1]) if len(args) == 2 else 1
        x = np.broadcast_to(np.asarray(args[0], dtype="float64"), (len(frame),))
        if name == "lead":
            return _shift(x, frame, -k, entity, time)
        lagged = _shift(x, frame, k, entity, time)
        return lagged if name == "lag" else x - lagged
    return FUNCTIONS[name].apply(*args)


_MODEL_NAME = re.compile(r"[^\W\d]\w*")


def parse_model_formula(text: str) -> tuple[str, list[str]]:
    """Split a panel model formula ``"y ~ a + b"`` into names, refusing anything else.

    Only names joined by ``+`` right of one ``~`` are allowed: transformations are written as
    indicators (``[indicators.<name>]`` with ``method = "formula"``), fixed effects by the model's
    ``effects`` key. The formula is never handed to patsy or formulaic (which evaluate Python).

    Examples
    --------
    >>> parse_model_formula("dt ~ demand + gov")
    ('dt', ['demand', 'gov'])
    >>> parse_model_formula("dt ~ np.log(gov)")
    Traceback (most recent call last):
    clusterdx.errors.StudySpecError: model formula 'dt ~ np.log(gov)': 'np.log(gov)' at position 6 is not a column name; write 'y ~ a + b' with column names only (transformations go into [indicators])
    """
    if not isinstance(text, str) or text.count("~") != 1:
        raise StudySpecError(
            f"model formula {text!r} must have exactly one '~', as in 'dt ~ demand + gov'"
        )
    lhs, rhs = text.split("~")
    parts, at = [(lhs, 0)], len(lhs) + 1
    for piece in rhs.split("+"):
        parts.append((piece, at))
        at += len(piece) + 1
    out = []
    for piece, start in parts:
        term = piece.strip()
        pos = start + len(piece) - len(piece.lstrip()) + 1
        if not _MODEL_NAME.fullmatch(term):
            shown = f"{term!r} at position {pos}" if term else f"an empty term at position {pos}"
            raise StudySpecError(
                f"model formula {text!r}: {shown} is not a column name; write 'y ~ a + b' with "
                "column names only (transformations go into [indicators])"
            )
        out.append(term)
    return out[0], out[1:]
