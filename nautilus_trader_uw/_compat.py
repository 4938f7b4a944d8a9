"""
What differs between the NautilusTrader releases this adapter supports, decided once at import.

Tested: 1.221.0 (the last release for Python 3.11) and 1.231.0 (the final v1 release, Python
3.12-3.13). Each difference is detected from the installed package itself where it can be, so a
release in between behaves as its own code says; the IB option symbology follows the release that
changed it, since the IB adapter cannot be imported without ``ibapi``.
"""

import re
import warnings
from typing import Final

import nautilus_trader
from nautilus_trader.data.engine import DataEngine


TESTED_MIN: Final[tuple[int, int, int]] = (1, 221, 0)
TESTED_MAX: Final[tuple[int, int, int]] = (1, 231, 0)
TESTED_RANGE: Final[str] = "1.221.0 to 1.231.0"

# From 1.223 the IB adapter keeps IB's OCC root padded to six characters in option ids
# (``SPY   261218C00600000.SMART``); from 1.225 it no longer accepts the compact form.
IB_PADDED_OCC_ROOT_SINCE: Final[tuple[int, int, int]] = (1, 223, 0)


class UwCompatibilityWarning(UserWarning):
    """
    The installed NautilusTrader is outside the range this adapter is tested with.
    """


def parse_version(text: str) -> tuple[int, int, int] | None:
    """
    ``(major, minor, patch)`` of a NautilusTrader version string, ``None`` when it has no such prefix.
    """
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)", text)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def untested_release_message(version: str) -> str | None:
    """
    The warning for ``version``, or ``None`` when that release is in the tested range.
    """
    parsed = parse_version(version)
    if parsed is not None and TESTED_MIN <= parsed <= TESTED_MAX and re.fullmatch(r"\d+\.\d+\.\d+", version):
        return None
    hint = (
        " NautilusTrader 2.x has no seam for out-of-tree data clients in its v2 LiveNode; this adapter"
        " targets the v1 TradingNode."
        if parsed is not None and parsed[0] >= 2
        else ""
    )
    return (
        f"unusual-whales-nt is tested with nautilus_trader {TESTED_RANGE}; the installed release is"
        f" {version}.{hint} Install a tested release: pip install 'nautilus_trader=={'.'.join(map(str, TESTED_MAX))}'"
    )


NAUTILUS_VERSION: Final[str] = nautilus_trader.__version__

_parsed = parse_version(NAUTILUS_VERSION)

IB_PADS_OCC_ROOT: Final[bool] = _parsed is None or _parsed >= IB_PADDED_OCC_ROOT_SINCE
"""Whether the installed IB adapter writes option ids with the OCC root padded to six characters."""

HISTORY_THROUGH_ENGINE: Final[bool] = hasattr(DataEngine, "process_historical")
"""
Whether the DataEngine processes request responses itself (after 1.221): it then takes the records
wrapped in ``CustomData`` and publishes them on ``historical.data.*`` topics, which is how they reach
``on_historical_data``; 1.221 hands the response's list to the requester as it is.
"""


def warn_if_untested() -> None:
    """
    Warn once (``UwCompatibilityWarning``) when the installed release is outside the tested range.
    """
    message = untested_release_message(NAUTILUS_VERSION)
    if message is not None:
        warnings.warn(message, UwCompatibilityWarning, stacklevel=3)
