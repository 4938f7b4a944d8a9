"""
``_core.flow_bars`` over stored option prints and ``_core.flow_bar_spec``: the Rust aggregator as
research uses it (the sums themselves are property-tested in ``tests/flow_bars.rs``).
"""

import math
import random

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import InstrumentId

import nautilus_trader_uw as uw
from nautilus_trader_uw import _core

from ..conftest import recorded_frames
from ..conftest import ws_fixture_frames


PRINTS = [
    obj
    for frame in ws_fixture_frames() + recorded_frames()
    for obj in uw.parse_ws_frame(frame, ts_init=1_000)
    if isinstance(obj, uw.UwOptionTrade)
]
SECOND = 1_000_000_000


def _premium(p) -> float:
    return p.size * p.price * 100.0


def test_one_second_bars_sum_the_tsla_prints_of_the_recorded_session():
    bars = _core.flow_bars(PRINTS, {"ticker": "TSLA", "interval": "1s"})
    tsla = [p for p in PRINTS if p.underlying_symbol == "TSLA"]
    assert tsla, "the recording holds TSLA prints"
    assert all(isinstance(b, uw.UwFlowBar) for b in bars)
    assert sum(b.prints for b in bars) == len(tsla)
    for bar in bars:
        inside = [p for p in tsla if bar.start <= p.executed_at < bar.ts_event]
        assert bar.ts_event - bar.start == SECOND and bar.start % SECOND == 0
        assert bar.prints == len(inside)
        bought = [p for p in inside if p.price >= p.nbbo_ask]
        sold = [p for p in inside if p.price <= p.nbbo_bid and p.price < p.nbbo_ask]
        side_sums = {
            "bought": bar.call_premium_bought + bar.put_premium_bought,
            "sold": bar.call_premium_sold + bar.put_premium_sold,
        }
        assert side_sums["bought"] == pytest.approx(math.fsum(map(_premium, bought)))
        assert side_sums["sold"] == pytest.approx(math.fsum(map(_premium, sold)))
        assert bar.largest_premium == max(map(_premium, inside))
        assert bar.instrument_id == InstrumentId.from_str("TSLA.SMART")
        assert (bar.interval, bar.expiry, bar.option_type) == ("1s", "all", "all")


def test_prints_in_any_order_or_wrapped_in_custom_data_give_the_same_bars():
    metadata = {"ticker": "TSLA", "interval": "1s", "option_type": "call"}
    bars = _core.flow_bars(PRINTS, metadata)
    # Distinct event times: the order of equal ones is the caller's, by design.
    distinct = list({p.executed_at: p for p in PRINTS}.values())
    shuffled = distinct[:]
    random.Random(7).shuffle(shuffled)
    in_order = sorted(distinct, key=lambda p: p.executed_at)
    assert _core.flow_bars(shuffled, metadata) == _core.flow_bars(in_order, metadata)
    wrapped = [CustomData(DataType(uw.UwOptionTrade), p) for p in PRINTS]
    assert _core.flow_bars(wrapped, list(metadata.items())) == bars


def test_bars_of_n_prints_and_a_venue():
    bars = _core.flow_bars(PRINTS, {"ticker": "TSLA", "every": 4}, venue="CBOE")
    assert [b.prints for b in bars] == [4] * (len(PRINTS) // 4)
    assert all(b.interval == "every 4" for b in bars)
    assert bars[0].instrument_id == InstrumentId.from_str("TSLA.CBOE")
    assert [b.ts_event for b in bars] == sorted(b.ts_event for b in bars)


def test_the_spec_is_returned_in_canonical_form():
    assert _core.flow_bar_spec({"ticker": "spy", "interval": "60s", "expiry": "0DTE", "min_premium": 1e5}) == {
        "ticker": "SPY",
        "interval": "1m",
        "expiry": "0dte",
        "option_type": "all",
        "min_premium": "100000",
        "moneyness": "all",
        "empty": "skip",
        "grace_ms": "1000",
    }


@pytest.mark.parametrize(
    ("metadata", "kind", "key", "accepted"),
    [
        ({"ticker": "SPY", "interval": "7s"}, "invalid_value", "interval", "divides a day"),
        ({"ticker": "SPY", "interval": "1s", "expiry": "soon"}, "invalid_value", "expiry", "0dte, a date YYYY-MM-DD"),
        ({"ticker": "SPY", "interval": "1s", "moneyness": "deep"}, "invalid_value", "moneyness", "otm, itm, all"),
        ({"ticker": "SPY", "interval": "1s", "colour": "red"}, "unknown_key", "colour", "accepted keys: ticker"),
        ({"interval": "1s"}, "missing_key", "ticker", "one underlying ticker"),
        ({"ticker": "SPY"}, "missing_key", "interval", "every ("),
        ({"ticker": "SPY", "every": 5, "empty": "emit"}, "conflicting_keys", "empty", "use interval"),
    ],
)
def test_bad_metadata_names_the_key_and_the_accepted_forms(metadata, kind, key, accepted):
    for call in (lambda: _core.flow_bar_spec(metadata), lambda: _core.flow_bars(PRINTS, metadata)):
        with pytest.raises(_core.UwFlowBarSpecError) as raised:
            call()
        assert isinstance(raised.value, ValueError)
        assert (raised.value.kind, raised.value.context, raised.value.field) == (kind, "UwFlowBar", key)
        assert key in str(raised.value)
        assert accepted in str(raised.value)


def test_prints_of_another_type_are_refused_by_position():
    with pytest.raises(TypeError, match="item 1 is a str"):
        _core.flow_bars([PRINTS[0], "not a print"], {"ticker": "TSLA", "interval": "1s"})


def _at(print_, executed_at: int):
    values = print_.to_dict()
    values["executed_at"] = executed_at
    return type(print_).from_dict(values)


def test_prints_taken_as_they_arrived_count_a_late_print_in_the_next_bar():
    tsla = next(p for p in PRINTS if p.underlying_symbol == "TSLA")
    t0 = tsla.executed_at - tsla.executed_at % SECOND
    first, second, third = (_at(tsla, t0 + k * SECOND + 5) for k in range(3))
    metadata = {"ticker": "TSLA", "interval": "1s"}
    arrived = [first, third, second]  # the second-second print arrives after the third's
    assert [b.prints for b in _core.flow_bars(arrived, metadata)] == [1, 1, 1], "sorted by event time"
    live_like = _core.flow_bars(arrived, metadata, as_arrived=True)
    assert [(b.start - t0, b.prints, b.late_prints) for b in live_like] == [(0, 1, 0), (2 * SECOND, 2, 1)]
