"""
Stored UW records made ready for a backtest, so that a strategy written for the live feed
subscribes in a backtest exactly as it does live.
"""

from collections.abc import Iterable

from nautilus_trader.core.data import Data
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import _core
from nautilus_trader_uw.types import UwFeedStatus
from nautilus_trader_uw.types import UwFlowBar
from nautilus_trader_uw.types import UwOptionTrade


_RECORD_TYPES = frozenset(_core.record_type_names())


def backtest_data(
    records: Iterable[object],
    data_types: Iterable[DataType],
    venue: str = _core.DEFAULT_VENUE,
) -> list[CustomData]:
    """
    ``CustomData`` for ``BacktestEngine.add_data`` that gives each of ``data_types`` (the
    ``DataType`` s the strategies subscribe to) the records the live client would deliver to it.

    A backtest publishes each ``CustomData`` on the topic of its own ``DataType``. A catalog's
    records, wrapped in plain ``DataType(T)``, therefore reach a plain ``DataType(T)`` subscriber
    only: a subscription with metadata (``DataType(UwFlowAlert, metadata={"ticker": "SPY"})``)
    receives nothing. Here each record is wrapped once for each subscription whose filter it
    passes, the filter the live client evaluates in Rust. A plain ``DataType(T)`` gets the records
    that no subscription of ``T`` with metadata passes: it hears those through NautilusTrader's
    wildcard topic ``T*``, as it does live, so it sees each record once. A
    ``DataType(UwFlowBar, metadata)`` gets the bars the live aggregator makes of the
    ``UwOptionTrade`` prints among ``records`` (as ``flow_bars`` does, ids on ``venue``);
    ``UwFeedStatus`` gets nothing, there being no connection.

    Parameters
    ----------
    records : Iterable
        UW ``Data`` objects, or ``CustomData`` holding them (as ``ParquetDataCatalog.query``
        returns them), of any types, in any order.
    data_types : Iterable[DataType]
        What the strategies subscribe to; a repeated one counts once.
    venue : str
        The venue of the flow bars' instrument ids (the client's ``option_venue``).

    Returns
    -------
    list[CustomData]
        Oldest ``ts_init`` first; records of equal ``ts_init`` keep their order.

    Raises
    ------
    ValueError
        For metadata a live subscription refuses, with the message it gets
        (``UwFlowBarSpecError`` for ``UwFlowBar``), or a ``DataType`` of no UW type.
    TypeError
        For an item of ``records`` that is not a UW record.

    """
    by_type: dict[type, list[Data]] = {}
    for i, item in enumerate(records):
        record = item.data if isinstance(item, CustomData) else item
        if type(record).__name__ not in _RECORD_TYPES or not isinstance(record, Data):
            found = type(record).__name__
            raise TypeError(f"records must be UW Data objects or CustomData holding them; item {i} is a {found}")
        by_type.setdefault(type(record), []).append(record)

    wanted = list(dict.fromkeys(data_types))
    out: list[CustomData] = []
    # Per record type, which records a subscription with metadata already delivers.
    delivered: dict[type, set[int]] = {}
    for data_type in wanted:
        cls = data_type.type
        if cls.__name__ not in _RECORD_TYPES:
            raise ValueError(f"{cls.__name__} is not a UW data type")
        if cls is UwFeedStatus:
            continue
        if cls is UwFlowBar:
            bars = _core.flow_bars(by_type.get(UwOptionTrade, []), data_type.metadata or {}, venue)
            out += [CustomData(data_type, bar) for bar in bars]
            continue
        if not data_type.metadata:
            continue
        metadata = [(str(k), str(v)) for k, v in data_type.metadata.items()]
        stored = by_type.get(cls, [])
        passed = _core.subscription_matches(cls.__name__, metadata, stored)
        hits = delivered.setdefault(cls, set())
        for j, (record, ok) in enumerate(zip(stored, passed, strict=True)):
            if ok:
                out.append(CustomData(data_type, record))
                hits.add(j)
    for data_type in wanted:
        cls = data_type.type
        if data_type.metadata or cls in (UwFeedStatus, UwFlowBar):
            continue
        hits = delivered.get(cls, set())
        out += [CustomData(data_type, r) for j, r in enumerate(by_type.get(cls, [])) if j not in hits]
    out.sort(key=lambda d: d.ts_init)
    return out
