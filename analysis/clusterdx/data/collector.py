"""CPython's cyclic garbage collector paused while a raw file is read and cleaned (and while the
spatial step builds its weights matrices and map shapes: the same pattern, 1.6 s of its 5.5 s at
county level).

Reading a raw file builds millions of small containers (a list per record, a string per cell,
pandas object columns) that hold no reference cycles. The cyclic collector is triggered by
allocation counts, and its full passes scan every tracked object, so while such a table grows it
re-scans the growing heap again and again: at county level (778,596 employment records, 57,040
firms over 13 years) 10 full passes per file took 5 s of the employment file's 15 s and 8 s of the
firms file's 22 s. Pausing it for the read changes no result (nothing is freed earlier or later
but unreachable cycles, which the next pass after the read collects).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state after.

    >>> with paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
