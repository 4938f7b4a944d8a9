"""
Bad input always gives the documented exception, never a crash; valid input decodes exactly.
"""

import json

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from nautilus_trader.core.data import Data

import nautilus_trader_uw as uw

from ..conftest import recorded_frames
from ..conftest import ws_fixture_frames


FRAMES = ws_fixture_frames() + recorded_frames()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _parse_or_documented_error(frame) -> None:
    try:
        out = uw.parse_ws_frame(frame)
    except uw.UwParseError as e:
        assert e.kind in {
            "oversized",
            "malformed_json",
            "unexpected_shape",
            "unknown_channel",
            "invalid_field",
            "join_error",
        }
        assert str(e)
    else:
        assert isinstance(out, list)
        assert all(isinstance(o, Data) for o in out)


@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    _parse_or_documented_error(data)


@given(st.sampled_from(sorted({json.loads(f)[0].split(":")[0] for f in FRAMES})), json_values)
def test_random_json_payloads_on_real_channels(channel, payload):
    _parse_or_documented_error(json.dumps([channel, payload]))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(st.sampled_from(FRAMES), st.data())
def test_mutated_real_frames(frame, data):
    channel, payload = json.loads(frame)
    if isinstance(payload, dict) and payload:
        key = data.draw(st.sampled_from(sorted(payload)))
        if data.draw(st.booleans()):
            del payload[key]
        else:
            payload[key] = data.draw(json_values)
    text = json.dumps([channel, payload])
    cut = data.draw(st.integers(0, len(text)))
    _parse_or_documented_error(text if data.draw(st.booleans()) else text[:cut])


def test_error_attributes_name_channel_and_field():
    with pytest.raises(uw.UwParseError, match=r"^trading_halts: field `time`: invalid type") as raised:
        uw.parse_ws_frame('["trading_halts",{"ticker":"GME","state":"halted","time":[]}]')
    e = raised.value
    assert (e.kind, e.context, e.field) == ("invalid_field", "trading_halts", "time")
    assert isinstance(e, ValueError)


def test_unknown_channel_and_join_errors_are_typed():
    with pytest.raises(uw.UwUnknownChannelError, match='unknown channel "dark_pool"') as unknown:
        uw.parse_ws_frame('["dark_pool",{"a":1}]')
    assert (unknown.value.kind, unknown.value.context) == ("unknown_channel", "dark_pool")
    with pytest.raises(uw.UwJoinError, match='UW refused channel "periscope": not entitled') as refused:
        uw.parse_ws_frame('["periscope",{"response":{"reason":"not entitled"},"status":"error"}]')
    assert (refused.value.kind, refused.value.context) == ("join_error", "periscope")
    assert uw.parse_ws_frame('["gex:SPY",{"response":{},"status":"ok"}]') == []


def test_oversized_frame():
    limit = uw._core.MAX_FRAME_BYTES
    with pytest.raises(uw.UwParseError, match=f"frame of {limit + 1} bytes exceeds the {limit}-byte limit") as raised:
        uw.parse_ws_frame(b" " * (limit + 1))
    assert raised.value.kind == "oversized"


numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def _encodings(value: float):
    return st.sampled_from([value, repr(value), f"{value:e}"])


@given(
    premium=numbers,
    ask=st.one_of(st.none(), numbers),
    end_ms=st.integers(0, 4_000_000_000_000),
    data=st.data(),
)
def test_generated_flow_alerts_decode_to_the_generated_values(premium, ask, end_ms, data):
    end = data.draw(st.sampled_from([end_ms, str(end_ms)]))
    payload = {
        "id": "a",
        "ticker": "SPY",
        "option_chain": "SPY241220C00500000",
        "total_premium": data.draw(_encodings(premium)),
        "total_ask_side_prem": data.draw(st.sampled_from([None, ""])) if ask is None else data.draw(_encodings(ask)),
        "end_time": end,
        "trade_ids": data.draw(st.lists(st.uuids().map(str), max_size=5)),
    }
    [alert] = uw.parse_ws_frame(json.dumps(["flow-alerts", payload]), ts_init=7)
    assert abs(alert.total_premium - premium) <= 1e-6 * max(1.0, abs(premium))
    if ask is None:
        assert alert.total_ask_side_prem is None
    else:
        assert abs(alert.total_ask_side_prem - ask) <= 1e-6 * max(1.0, abs(ask))
    assert alert.ts_event == end_ms * 1_000_000
    assert alert.end_time == end_ms * 1_000_000
    assert alert.trade_ids == payload["trade_ids"]
    assert alert.ts_init == 7
