"""
Unusual Whales data adapter for NautilusTrader.

Not affiliated with, endorsed by, or supported by Nautech Systems Pty Ltd or Unusual Whales.
"""

from typing import Final

from nautilus_trader_uw import _compat
from nautilus_trader_uw import _core
from nautilus_trader_uw import types
from nautilus_trader_uw._compat import UwCompatibilityWarning
from nautilus_trader_uw._core import UwErrorResponse
from nautilus_trader_uw._core import UwJoinError
from nautilus_trader_uw._core import UwParseError
from nautilus_trader_uw._core import UwRequestError
from nautilus_trader_uw._core import UwRestClient
from nautilus_trader_uw._core import UwSkippedRowsWarning
from nautilus_trader_uw._core import UwUnknownChannelError
from nautilus_trader_uw._core import parse_rest_response
from nautilus_trader_uw._core import parse_ws_frame
from nautilus_trader_uw.backtest import backtest_data
from nautilus_trader_uw.config import UnusualWhalesDataClientConfig
from nautilus_trader_uw.config import UwApiKey
from nautilus_trader_uw.constants import UW
from nautilus_trader_uw.constants import UW_CLIENT_ID
from nautilus_trader_uw.data import UnusualWhalesDataClient
from nautilus_trader_uw.factories import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw.types import *  # noqa: F403 (the Data types, generated: types.__all__)


__version__: Final[str] = _core.__version__

# Option ids follow the installed IB adapter (padded OCC roots from NautilusTrader 1.223).
_core._set_padded_occ_root_default(_compat.IB_PADS_OCC_ROOT)
_compat.warn_if_untested()

for _exc in (UwParseError, UwUnknownChannelError, UwJoinError, UwErrorResponse, UwRequestError, UwSkippedRowsWarning):
    _exc.__module__ = __name__

__all__ = [
    "UW",
    "UW_CLIENT_ID",
    "UnusualWhalesDataClient",
    "UnusualWhalesDataClientConfig",
    "UnusualWhalesLiveDataClientFactory",
    "UwApiKey",
    "UwCompatibilityWarning",
    "UwErrorResponse",
    "UwJoinError",
    "UwParseError",
    "UwRequestError",
    "UwRestClient",
    "UwSkippedRowsWarning",
    "UwUnknownChannelError",
    "backtest_data",
    "parse_rest_response",
    "parse_ws_frame",
]
# The Data types (generated from the registry).
__all__ += types.__all__
