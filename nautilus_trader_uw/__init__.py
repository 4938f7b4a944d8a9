"""
Unusual Whales data adapter for NautilusTrader.

Not affiliated with, endorsed by, or supported by Nautech Systems Pty Ltd or Unusual Whales.
"""

from typing import Final

from nautilus_trader_uw import _compat
from nautilus_trader_uw import _core
from nautilus_trader_uw._compat import UwCompatibilityWarning
from nautilus_trader_uw._core import UwErrorResponse
from nautilus_trader_uw._core import UwJoinError
from nautilus_trader_uw._core import UwParseError
from nautilus_trader_uw._core import UwRequestError
from nautilus_trader_uw._core import UwRestClient
from nautilus_trader_uw._core import UwUnknownChannelError
from nautilus_trader_uw._core import parse_rest_response
from nautilus_trader_uw._core import parse_ws_frame
from nautilus_trader_uw.config import UnusualWhalesDataClientConfig
from nautilus_trader_uw.config import UwApiKey
from nautilus_trader_uw.constants import UW
from nautilus_trader_uw.constants import UW_CLIENT_ID
from nautilus_trader_uw.data import UnusualWhalesDataClient
from nautilus_trader_uw.factories import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw.types import ALL_TYPES
from nautilus_trader_uw.types import UwCongressTrade
from nautilus_trader_uw.types import UwContractDay
from nautilus_trader_uw.types import UwContractScreener
from nautilus_trader_uw.types import UwCustomAlert
from nautilus_trader_uw.types import UwDarkPoolTrade
from nautilus_trader_uw.types import UwEarnings
from nautilus_trader_uw.types import UwExpiryGreekExposure
from nautilus_trader_uw.types import UwExpiryIv
from nautilus_trader_uw.types import UwExpiryStrikeGex
from nautilus_trader_uw.types import UwExpiryTide
from nautilus_trader_uw.types import UwFeedStatus
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwGexLevels
from nautilus_trader_uw.types import UwGreekExposure
from nautilus_trader_uw.types import UwGreekFlow
from nautilus_trader_uw.types import UwHorizonIv
from nautilus_trader_uw.types import UwInsiderTransaction
from nautilus_trader_uw.types import UwInterpolatedIv
from nautilus_trader_uw.types import UwIntervalFlow
from nautilus_trader_uw.types import UwIvRank
from nautilus_trader_uw.types import UwIvTermStructure
from nautilus_trader_uw.types import UwLitTrade
from nautilus_trader_uw.types import UwMarketTide
from nautilus_trader_uw.types import UwMaxPain
from nautilus_trader_uw.types import UwNetFlow
from nautilus_trader_uw.types import UwNetPremTick
from nautilus_trader_uw.types import UwNewsHeadline
from nautilus_trader_uw.types import UwOhlcBar
from nautilus_trader_uw.types import UwOptionContract
from nautilus_trader_uw.types import UwOptionTrade
from nautilus_trader_uw.types import UwPeriscope
from nautilus_trader_uw.types import UwPrice
from nautilus_trader_uw.types import UwSpotExposure
from nautilus_trader_uw.types import UwStockQuote
from nautilus_trader_uw.types import UwStockState
from nautilus_trader_uw.types import UwStrikeFlow
from nautilus_trader_uw.types import UwStrikeGex
from nautilus_trader_uw.types import UwStrikeGreekExposure
from nautilus_trader_uw.types import UwStrikeSpotExposure
from nautilus_trader_uw.types import UwTickerGex
from nautilus_trader_uw.types import UwTradingHalt


__version__: Final[str] = _core.__version__

# Option ids follow the installed IB adapter (padded OCC roots from NautilusTrader 1.223).
_core._set_padded_occ_root_default(_compat.IB_PADS_OCC_ROOT)
_compat.warn_if_untested()

for _exc in (UwParseError, UwUnknownChannelError, UwJoinError, UwErrorResponse, UwRequestError):
    _exc.__module__ = __name__

__all__ = [
    "ALL_TYPES",
    "UW",
    "UW_CLIENT_ID",
    "UnusualWhalesDataClient",
    "UnusualWhalesDataClientConfig",
    "UnusualWhalesLiveDataClientFactory",
    "UwApiKey",
    "UwCompatibilityWarning",
    "UwFeedStatus",
    "UwErrorResponse",
    "UwTickerGex",
    "UwStrikeGex",
    "UwExpiryStrikeGex",
    "UwPrice",
    "UwSpotExposure",
    "UwLitTrade",
    "UwDarkPoolTrade",
    "UwMarketTide",
    "UwNetPremTick",
    "UwNetFlow",
    "UwIntervalFlow",
    "UwNewsHeadline",
    "UwContractScreener",
    "UwTradingHalt",
    "UwGreekExposure",
    "UwStrikeGreekExposure",
    "UwExpiryGreekExposure",
    "UwGexLevels",
    "UwStrikeSpotExposure",
    "UwExpiryTide",
    "UwGreekFlow",
    "UwStrikeFlow",
    "UwOptionContract",
    "UwContractDay",
    "UwStockState",
    "UwStockQuote",
    "UwOhlcBar",
    "UwMaxPain",
    "UwIvRank",
    "UwHorizonIv",
    "UwExpiryIv",
    "UwEarnings",
    "UwCongressTrade",
    "UwInsiderTransaction",
    "UwCustomAlert",
    "UwPeriscope",
    "UwInterpolatedIv",
    "UwIvTermStructure",
    "UwFlowAlert",
    "UwJoinError",
    "UwOptionTrade",
    "UwParseError",
    "UwRequestError",
    "UwRestClient",
    "UwUnknownChannelError",
    "parse_rest_response",
    "parse_ws_frame",
]
