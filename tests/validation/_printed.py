"""Compare estimates with figures printed at a stated precision (published tables, R output).

A printed figure such as ``"0.010493"`` or ``"1.535028e-06"`` is matched when our value rounds to
it: ``|ours - printed| <= half a unit of its last printed digit`` (plus 1e-12 relative slack for
the binary representation). The worst relative difference is returned so tests can report it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal


def half_unit(printed: str) -> float:
    """Half a unit of the last printed digit of ``printed`` (e.g. ``"0.8612"`` -> 5e-5)."""
    exponent = Decimal(printed.strip()).as_tuple().exponent
    return 0.5 * 10.0 ** int(exponent)


def assert_printed(ours: Mapping[str, float], printed: Mapping[str, str], what: str) -> float:
    """Assert every ``ours[k]`` rounds to ``printed[k]``; return the worst relative difference."""
    worst = 0.0
    failures = []
    for key, text in printed.items():
        value, target = float(ours[key]), float(text)
        gap = abs(value - target)
        if gap > half_unit(text) + 1e-12 * abs(target):
            failures.append(f"{key}: ours {value!r}, printed {text}")
        worst = max(worst, gap / abs(target)) if target else worst
    assert not failures, f"{what} differs from the printed reference: " + "; ".join(failures)
    return worst
