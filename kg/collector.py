"""Python's cycle collector, paused while kg builds.

Why: a build makes millions of small objects that live until it ends (the
extraction records, the graph, the rows of every file), and none of them are in
reference cycles: reference counting frees them all. The cycle collector,
though, walks every live object each time enough new ones pile up, and on a
newspaper archive those walks came to 3 of a build's 45 seconds (People's Daily,
``-j1``). Pausing it changes no output. Whatever cycles a build does leave
(an exception's traceback) are collected once it ends, when the collector runs
again.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["cycle_collection_paused"]


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No automatic cycle collection in the block; as it was before, after it (blocks nest)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
