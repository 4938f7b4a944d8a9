"""
Every UW Data type: decoded from real-shaped frames, usable by NautilusTrader, catalog-ready.
"""

import pickle

import pytest
from nautilus_trader.core.data import Data
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

import nautilus_trader_uw as uw
from nautilus_trader_uw._records import cached_instrument_id
from nautilus_trader_uw.symbology import option_instrument_id
from nautilus_trader_uw.types import ALL_TYPES

from ..conftest import TEST_DATA
from ..conftest import rest_fixture_bodies
from ..conftest import ws_fixture_frames


def _decoded_by_type(frames: list[str]) -> dict[type, list]:
    by_type: dict[type, list] = {}
    for i, frame in enumerate(frames):
        for obj in uw.parse_ws_frame(frame, ts_init=1_000 + i):
            by_type.setdefault(type(obj), []).append(obj)
    return by_type


DECODED = _decoded_by_type(ws_fixture_frames())
for _i, (_endpoint, _body) in enumerate(rest_fixture_bodies()):
    for _obj in uw.parse_rest_response(_endpoint, _body, ts_init=100_000 + _i):
        DECODED.setdefault(type(_obj), []).append(_obj)
# Not a UW payload: the live client's own health records, as it emits them.
DECODED[uw.UwFeedStatus] = [
    uw.UwFeedStatus(status="connected", detail="joined [flow-alerts]", ts_event=200_000, ts_init=200_000),
    uw.UwFeedStatus(
        status="reconnecting", detail="no pong; reconnecting in 1.05s", attempt=2, ts_event=200_001, ts_init=200_001
    ),
    uw.UwFeedStatus(
        status="stale", channel="option_trades:SPY", detail="no data for 120s", ts_event=200_002, ts_init=200_002
    ),
]
# Not a UW payload either: bars the adapter sums from the option prints above.
DECODED[uw.UwFlowBar] = [
    *uw._core.flow_bars(DECODED[uw.UwOptionTrade], {"ticker": "TSLA", "interval": "1s", "empty": "emit"}),
    *uw._core.flow_bars(DECODED[uw.UwOptionTrade], {"ticker": "TSLA", "every": 2, "option_type": "call"}),
]

# Any UW operation's answer, whole (UW's example of /api/market/sector-etfs, shortened), and a frame
# of a channel UW documents no payload for.
DECODED[uw.UwApiResponse] = [
    uw._core.parse_api_response(
        "market_sector_etfs",
        '{"data":[{"ticker":"XLK","full_name":"Technology","call_premium":"1213400.5","volume":2}]}',
        ts_init=300_000,
    ),
    *uw.parse_ws_frame('["futures:ESZ5",{"sym":"ESZ5","price":"5910.25","size":2,"side":"buy"}]', ts_init=300_001),
]


def test_every_type_has_a_fixture():
    assert set(DECODED) == set(ALL_TYPES)


def test_type_names_are_not_prefixes_of_each_other():
    # DataType(T) without metadata subscribes to the topic `T*`.
    names = [t.__name__ for t in ALL_TYPES]
    assert all(n.startswith("Uw") for n in names)
    for a in names:
        for b in names:
            assert a == b or not b.startswith(a), f"{a} is a prefix of {b}"


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda c: c.__name__)
def test_objects_are_nautilus_data(cls):
    for obj in DECODED[cls]:
        assert isinstance(obj, Data)
        assert obj.ts_init >= 1_000
        assert obj.ts_event > 0
        assert CustomData(DataType(cls), obj).data is obj
        if cls._HAS_INSTRUMENT:
            assert isinstance(obj.instrument_id, InstrumentId)
            assert obj.instrument_id.venue.value == "SMART"
        else:
            assert not hasattr(obj, "instrument_id")


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda c: c.__name__)
def test_dict_pickle_and_keyword_round_trips(cls):
    for obj in DECODED[cls]:
        assert cls.from_dict(obj.to_dict()) == obj
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert cls(**obj.to_dict()) == obj


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda c: c.__name__)
def test_catalog_round_trip(cls, tmp_path):
    # One REST body gives several records the same ts_init; the catalog need not keep their order.
    def order(o):
        return (o.ts_init, o.ts_event, repr(o))

    catalog = ParquetDataCatalog(str(tmp_path))
    written = sorted(DECODED[cls], key=order)
    catalog.write_data(written)
    read = [c.data if isinstance(c, CustomData) else c for c in catalog.query(cls)]
    assert sorted(read, key=order) == written


def test_a_catalog_written_before_a_type_gained_fields_still_reads(tmp_path):
    # UwOptionTrade gained its REST fields after catalogs of it were written: files without those
    # columns read back, the new fields empty, the rest as written.
    import pyarrow.parquet as pq

    gained = ["flow_alert_id", "rule_id", "is_agg", "trade_ids", "full_name", "issue_type", "sector"]
    gained += ["industry_type", "marketcap", "next_earnings_date", "er_time"]
    # A REST print, whose sector, industry and earnings date the old file no longer has.
    written = next(o for o in DECODED[uw.UwOptionTrade] if o.sector is not None)
    catalog = ParquetDataCatalog(str(tmp_path))
    catalog.write_data([written])
    [path] = list(tmp_path.rglob("*.parquet"))
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(gained).replace_schema_metadata(table.schema.metadata), path)
    [read] = [c.data if isinstance(c, CustomData) else c for c in catalog.query(uw.UwOptionTrade)]
    expected = written.to_dict() | {name: None for name in gained} | {"trade_ids": []}
    assert read.to_dict() == expected


def test_repr_is_readable_and_abbreviates_long_lists():
    alert = next(a for a in DECODED[uw.UwFlowAlert] if len(a.trade_ids) > 4)
    text = repr(alert)
    assert text.startswith("UwFlowAlert(id=")
    assert "more]" in text
    assert f"instrument_id={option_instrument_id('DIA241018C00415000')}" in text
    assert "ts_event=2024-09-18T14:36:52.748000000Z" in text


def test_the_instrument_id_of_a_contract_in_use_stays_one_object_past_the_cache_bound():
    # The cache holds 100k ids. A contract read now and then keeps its object however many
    # others pass through; one not read for the whole bound is built again (memory stays bounded).
    cold = cached_instrument_id("COLD250516C00001000.SMART")
    hot = cached_instrument_id("HOT250516C00001000.SMART")
    for n in range(250_000):
        cached_instrument_id(f"TSLA250516C{n:08d}.SMART")
        if n % 1_000 == 0:
            assert cached_instrument_id("HOT250516C00001000.SMART") is hot, f"rebuilt after {n}"
    assert cached_instrument_id("COLD250516C00001000.SMART") is not cold
    assert cached_instrument_id("COLD250516C00001000.SMART") == cold


def test_custom_venue():
    frame = ws_fixture_frames()[0]
    [obj] = uw.parse_ws_frame(frame, venue="CBOE")
    assert obj.instrument_id.venue.value == "CBOE"


def test_records_of_one_instrument_share_one_instrument_id():
    # The DataEngine reads instrument_id of every record it routes: built once per instrument.
    frames = [f for f in ws_fixture_frames() if f.startswith('["option_trades')]
    first = [p for f in frames for p in uw.parse_ws_frame(f)]
    second = [p for f in frames for p in uw.parse_ws_frame(f)]
    assert len({p._instrument_id_str for p in first}) >= 2
    for a, b in zip(first, second, strict=True):
        assert a is not b
        assert a.instrument_id is b.instrument_id
        assert a.instrument_id == InstrumentId.from_str(a._instrument_id_str)
        assert cached_instrument_id(a._instrument_id_str) is a.instrument_id
    assert first[0].instrument_id != next(
        p.instrument_id for p in first if p._instrument_id_str != first[0]._instrument_id_str
    )


def test_instrument_id_cache_is_bounded_and_refuses_bad_ids():
    first = cached_instrument_id("AAA.SMART")
    assert cached_instrument_id("AAA.SMART") is first
    # Past its bound the cache starts over: a new object, equal to the old one.
    for i in range(100_001):
        cached_instrument_id(f"T{i}.SMART")
    again = cached_instrument_id("AAA.SMART")
    assert again == first
    assert again is not first
    with pytest.raises(ValueError):
        cached_instrument_id("no-venue")


def test_keyword_constructor_rejects_missing_and_unknown_fields():
    with pytest.raises(TypeError, match="missing required field 'ticker'"):
        uw.UwTradingHalt(state="halted", time=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        uw.UwTradingHalt(ticker="GME", state="halted", time=1, colour="red")
    halt = uw.UwTradingHalt(ticker="GME", state="halted", time=5, instrument_id="GME.SMART", ts_event=5, ts_init=6)
    assert halt.instrument_id == InstrumentId.from_str("GME.SMART")
    assert (halt.ts_event, halt.ts_init, halt.reason) == (5, 6, None)


def test_rust_builds_records_without_calling_their_class_so_a_class_must_add_no_init():
    # Rust allocates each decoded record as the class's inherited __new__ would and skips the
    # call: a class that defined __init__ (or __new__) would silently be bypassed, so it is
    # refused when registered.
    from nautilus_trader_uw import _core
    from nautilus_trader_uw._records import UwData

    class WithInit(_core.UwOptionTrade, UwData):
        __slots__ = ()

        def __init__(self, **kwargs):
            raise AssertionError("never called for decoded records")

    class WithNew(_core.UwOptionTrade, UwData):
        __slots__ = ()

        def __new__(cls, **kwargs):
            return super().__new__(cls, **kwargs)

    with pytest.raises(TypeError, match="must not define __init__"):
        WithInit._register_data_class()
    with pytest.raises(TypeError, match="must not define __new__"):
        WithNew._register_data_class()
    # The registered class still builds the decoded records, as an instance of itself alone.
    frame = next(f for f in ws_fixture_frames() if f.startswith('["option_trades'))
    [trade] = uw.parse_ws_frame(frame, 1)
    assert type(trade) is uw.UwOptionTrade
    assert trade == uw.UwOptionTrade(**trade.to_dict())


def test_objects_are_immutable():
    obj = DECODED[uw.UwPrice][0]
    with pytest.raises(AttributeError):
        obj.close = 1.0


def test_rest_errors_are_typed():
    with pytest.raises(
        uw.UwErrorResponse, match=r"^darkpool_ticker: UW returned an error: historic_data_access_missing: too old$"
    ) as refused:
        uw.parse_rest_response("/api/darkpool/MSFT", '{"code":"historic_data_access_missing","message":"too old"}')
    assert (refused.value.kind, refused.value.context) == ("error_body", "darkpool_ticker")
    with pytest.raises(uw.UwParseError, match='unknown REST endpoint "/api/options/flow"') as unknown:
        uw.parse_rest_response("/api/options/flow", "{}")
    assert (unknown.value.kind, unknown.value.context) == ("unknown_endpoint", "/api/options/flow")
    assert uw.parse_rest_response("market_tide", b'{"data":[]}') == []
    assert "net_prem_ticks" in uw._core.rest_endpoint_names()


def test_flow_alert_detail_returns_the_alert_then_its_prints():
    body = (TEST_DATA / "http_get_flow_alert_detail.jsonl").read_text().splitlines()[0]
    objs = uw.parse_rest_response("/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc", body)
    assert [type(o) for o in objs] == [uw.UwFlowAlert, uw.UwOptionTrade, uw.UwOptionTrade]
    assert {t.option_symbol for t in objs[1:]} == {"DINO260417C00060000", "DINO260417C00070000"}


def test_every_rest_endpoint_has_a_fixture_or_shares_one():
    # These share a schema and example with a sibling; UW gives no example of the full tape's zip,
    # which the simulator makes (test_data/README.md).
    shared = {
        "flow_per_strike_intraday",
        "earnings_afterhours",
        "spot_exposures_expiry_strike",
        "oi_change_market",
        "full_tape",
    }
    names = set(uw._core.rest_endpoint_names())
    with_fixture = {
        path.name.removeprefix("http_get_").removesuffix(".jsonl") for path in TEST_DATA.glob("http_get_*.jsonl")
    }
    assert with_fixture <= names
    assert names - with_fixture - shared <= {
        "darkpool_recent",
        "lit_flow_recent",
        "lit_flow_ticker",
        "greek_exposure_strike",
    }
