"""
``backtest_data``: a strategy written for the live feed, its subscriptions carrying metadata,
receives in a ``BacktestEngine`` what the live client would have delivered to it.
"""

import json
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwFlowBar
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw import UwTickerGex
from nautilus_trader_uw import backtest_data
from nautilus_trader_uw import parse_ws_frame
from nautilus_trader_uw._core import UwFlowBarSpecError
from nautilus_trader_uw._core import flow_bars

from ..conftest import recorded_frames
from ..conftest import ws_fixture_frames


def _records() -> list:
    return [r for frame in ws_fixture_frames() + recorded_frames() for r in parse_ws_frame(frame)]


def _key(record) -> tuple:
    return (type(record).__name__, getattr(record, "id", None), record.ts_event, str(record.instrument_id))


# In a subprocess: a backtest engine sets this process's (global) log level for every node the
# later tests run.
_BACKTEST = textwrap.dedent(
    """
    import json, sys
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.common.actor import Actor
    from nautilus_trader.common.config import ActorConfig
    from nautilus_trader.common.config import LoggingConfig
    from nautilus_trader.model.data import DataType
    from nautilus_trader.model.identifiers import TraderId
    from nautilus_trader_uw import UW_CLIENT_ID, UwFlowAlert, UwFlowBar, backtest_data, parse_ws_frame

    frames, wrap = json.load(open(sys.argv[1])), sys.argv[2] == "wrap"
    records = [r for f in frames for r in parse_ws_frame(f)]
    types = [
        DataType(UwFlowAlert, metadata={"ticker": "NVDA,SPY"}),
        DataType(UwFlowAlert, metadata={"min_premium": 200000}),
        DataType(UwFlowAlert),
        DataType(UwFlowBar, metadata={"ticker": "TSLA", "interval": "1s"}),
    ]

    class Sink(Actor):
        def __init__(self, data_type, n):
            super().__init__(ActorConfig(component_id=f"Sink-{n}"))
            self.data_type, self.seen = data_type, []

        def on_start(self):
            self.subscribe_data(self.data_type, client_id=UW_CLIENT_ID)

        def on_data(self, data):
            self.seen.append([type(data).__name__, getattr(data, "id", None), data.ts_event, str(data.instrument_id)])

    logging = LoggingConfig(log_level="ERROR")
    engine = BacktestEngine(BacktestEngineConfig(trader_id=TraderId("UWBT-001"), logging=logging))
    sinks = [Sink(t, n) for n, t in enumerate(types)]
    for sink in sinks:
        engine.add_actor(sink)
    if wrap:
        data = backtest_data(records, types)
    else:
        from nautilus_trader.model.data import CustomData
        data = [CustomData(DataType(type(r)), r) for r in records]
    engine.add_data(data, client_id=UW_CLIENT_ID)
    engine.run()
    print(json.dumps([s.seen for s in sinks]))
    engine.dispose()
    """,
)


def _run_backtest(tmp_path, wrap: bool) -> list[list[tuple]]:
    frames = tmp_path / "frames.json"
    frames.write_text(json.dumps(ws_fixture_frames() + recorded_frames()))
    script = tmp_path / "bt.py"
    script.write_text(_BACKTEST)
    result = subprocess.run(
        [sys.executable, str(script), str(frames), "wrap" if wrap else "plain"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return [[tuple(x) for x in seen] for seen in json.loads(result.stdout.strip().splitlines()[-1])]


def test_subscriptions_with_metadata_receive_in_a_backtest_what_live_delivers(tmp_path):
    records = _records()
    alerts = [r for r in records if isinstance(r, UwFlowAlert)]
    by_ticker, by_premium, plain, bars = _run_backtest(tmp_path, wrap=True)

    assert Counter(by_ticker) == Counter(_key(a) for a in alerts if a.ticker in ("NVDA", "SPY"))
    assert Counter(by_premium) == Counter(_key(a) for a in alerts if a.total_premium >= 200_000)
    assert by_ticker and by_premium and len(by_premium) < len(alerts), "the fixtures exercise the filters"
    # The plain subscriber hears the keyed publications through its wildcard topic, as live: an
    # alert no keyed subscription passes once, plainly; any other once per keyed one it passes.
    passed = [(a.ticker in ("NVDA", "SPY")) + (a.total_premium >= 200_000) for a in alerts]
    expected = Counter()
    for alert, n in zip(alerts, passed, strict=True):
        expected[_key(alert)] += n or 1
    assert Counter(plain) == expected
    assert {0, 1, 2} <= set(passed), "the fixtures hold every case"
    prints = [r for r in records if isinstance(r, UwOptionTrade)]
    expected_bars = flow_bars(prints, {"ticker": "TSLA", "interval": "1s"})
    assert len(bars) == len(expected_bars) > 0
    assert [b[2] for b in bars] == sorted(b.ts_event for b in expected_bars)


def test_without_it_a_subscription_with_metadata_receives_nothing_in_a_backtest(tmp_path):
    # What backtest_data is for: a catalog's records, as NautilusTrader wraps them, reach only a
    # plain subscriber.
    by_ticker, by_premium, plain, bars = _run_backtest(tmp_path, wrap=False)
    assert by_ticker == by_premium == bars == []
    assert len(plain) == sum(isinstance(r, UwFlowAlert) for r in _records())


def test_records_come_out_oldest_first_each_wrapped_for_its_subscriptions():
    records = _records()
    # Catalog order is no order: newest first here.
    stored = [CustomData(DataType(type(r)), r) for r in sorted(records, key=lambda r: -r.ts_init)]
    spy = DataType(UwTickerGex, metadata={"ticker": "SPY"})
    out = backtest_data(stored, [spy, DataType(UwTickerGex), spy])
    assert [d.ts_init for d in out] == sorted(d.ts_init for d in out)
    gex = [r for r in records if isinstance(r, UwTickerGex)]
    assert Counter(str(d.data_type) for d in out) == {
        str(spy): sum(g.ticker == "SPY" for g in gex),
        "UwTickerGex": sum(g.ticker != "SPY" for g in gex),
    }
    assert not any(isinstance(d.data, UwFlowAlert) for d in out), "no subscription, nothing delivered"


def test_bad_metadata_is_refused_as_a_live_subscription_refuses_it():
    records = _records()
    with pytest.raises(ValueError, match='cannot be filtered by "tickr"; supported metadata keys: ticker'):
        backtest_data(records, [DataType(UwFlowAlert, metadata={"tickr": "SPY"})])
    with pytest.raises(ValueError, match="min_premium"):
        backtest_data(records, [DataType(UwFlowAlert, metadata={"min_premium": "lots"})])
    with pytest.raises(UwFlowBarSpecError):
        backtest_data(records, [DataType(UwFlowBar)])
    with pytest.raises(TypeError, match="item 1 is a str"):
        backtest_data([records[0], "not a record"], [DataType(UwFlowAlert)])
