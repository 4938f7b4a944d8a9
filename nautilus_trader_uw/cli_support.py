"""
Small helpers for the command line: a dependency-free progress bar.
"""

import sys
import time
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TypeVar


T = TypeVar("T")


def progress(items: Iterable[T], desc: str = "", enabled: bool = True, width: int = 30) -> Iterator[T]:
    """
    Yield ``items`` while drawing ``desc [#####.....] i/n elapsed`` on stderr (when a terminal or
    ``enabled``); the bar ends with a newline.
    """
    seq = list(items)
    total = len(seq)
    start = time.monotonic()

    def draw(i: int) -> None:
        if not enabled:
            return
        filled = width * i // total if total else width
        bar = "#" * filled + "." * (width - filled)
        end = "\n" if i == total else ""
        print(f"\r{desc} [{bar}] {i}/{total} {time.monotonic() - start:.1f}s", end=end, file=sys.stderr, flush=True)

    draw(0)
    for i, item in enumerate(seq, 1):
        yield item
        draw(i)
