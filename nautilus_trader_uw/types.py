"""
NautilusTrader Data types for Unusual Whales payloads, one per WebSocket channel / REST endpoint.

Each type's fields are declared in Rust (``crates/adapters/unusual_whales/src/data``) and decoded
there; these classes add the NautilusTrader ``Data`` base and catalog registration. No name is a
prefix of another, because ``DataType(T)`` without metadata subscribes to the topic ``T*``.
"""

from nautilus_trader_uw import _core
from nautilus_trader_uw._records import UwData
from nautilus_trader_uw._records import uw_data_type


@uw_data_type
class UwFlowAlert(_core.UwFlowAlert, UwData):
    """
    A UW flow alert (channel ``flow-alerts``, REST ``/api/option-trades/flow-alerts``).

    ``instrument_id`` is the option contract (``SPY241220C00500000.SMART``); ``ts_event`` is the end
    of the alert window.
    """

    __slots__ = ()


@uw_data_type
class UwOptionTrade(_core.UwOptionTrade, UwData):
    """
    One option print (channel ``option_trades[:<TICKER>]``, REST ``/api/option-trades``).

    ``instrument_id`` is the option contract; ``ts_event`` is the execution time.
    """

    __slots__ = ()


ALL_TYPES: tuple[type[UwData], ...] = (
    UwFlowAlert,
    UwOptionTrade,
)
"""Every UW Data type, for registration and introspection."""
