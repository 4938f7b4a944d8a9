"""
``uw-nt demo``: a live ``TradingNode`` with the UW data client and ``ZeroDteFlowStrategy``.

Without ``UW_API_KEY`` the node streams from the built-in UW simulator (started on loopback, same
wire protocol); with it, from api.unusualwhales.com. ``--replay`` instead plays UW's own recorded
session (bundled) through the Rust parser into a ``BacktestEngine`` with ``FlowWatcher``.

``uw-nt replay <recording>`` (``run_replay_node``) plays a recording through the simulator into a
live node subscribed to every channel the recording holds, and reports per channel what was
recorded and what the node delivered.
"""

import asyncio
import json
import os
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pandas as pd
from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.engine import BacktestEngineConfig
from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.common.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import TraderId

from nautilus_trader_uw import _core
from nautilus_trader_uw.cli_support import CliError
from nautilus_trader_uw.cli_support import RecordingError
from nautilus_trader_uw.cli_support import decode_recording
from nautilus_trader_uw.cli_support import recording_rows
from nautilus_trader_uw.config import UnusualWhalesDataClientConfig
from nautilus_trader_uw.constants import UW
from nautilus_trader_uw.constants import UW_CLIENT_ID
from nautilus_trader_uw.factories import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw.history import received_at_ns
from nautilus_trader_uw.strategies import FlowWatcher
from nautilus_trader_uw.strategies import FlowWatcherConfig
from nautilus_trader_uw.strategies import ZeroDteFlowConfig
from nautilus_trader_uw.strategies import ZeroDteFlowStrategy
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwOptionTrade


# Simulated activity per channel (frames/s): a busy SPY/QQQ 0DTE afternoon, scaled down.
DEMO_RATES = {"flow-alerts": 8.0, "option_trades": 150.0, "net_flow": 4.0, "price": 4.0}
# A node without execution clients says so at WARNING on every start and stop: noise here.
QUIET_NODE_COMPONENTS = {"TradingNode": "ERROR", "ExecEngine": "ERROR"}


def run_replay_demo(recording: Path) -> int:
    records, counts = decode_recording(recording)
    if not records:
        print(f"no UW records in {recording}")
        return 1
    engine = BacktestEngine(
        BacktestEngineConfig(
            trader_id=TraderId("UWDEMO-001"),
            logging=LoggingConfig(log_level="WARNING", log_component_levels={"FlowWatcher": "INFO"}),
        ),
    )
    watcher = FlowWatcher(FlowWatcherConfig(min_premium=20_000.0, min_ask_share=0.55))
    engine.add_actor(watcher)
    engine.add_data([CustomData(DataType(type(r)), r) for r in records], client_id=UW_CLIENT_ID)
    try:
        engine.run()
    finally:
        engine.dispose()

    s = watcher.summary
    print()
    print(f"UW demo: replayed {recording.name} through the Rust parser into a NautilusTrader engine")
    print(f"  frames decoded : {dict(sorted(counts.items()))}")
    print(f"  flow alerts    : {s.alerts} ({dict(s.rules)})")
    print(f"  option prints  : {s.trades}")
    for ticker, net in sorted(s.net_premium_by_ticker.items()):
        print(f"  net premium    : {ticker} {net:+,.0f} USD (ask-side calls/bid-side puts positive)")
    print(f"  signals        : {len(s.signals)}")
    for signal in s.signals:
        print(f"    {signal}")
    return 0


def run_live_demo(seconds: float, log_level: str = "WARNING") -> int:
    """
    Run the node for ``seconds`` and print a summary; return the exit code.
    """
    api_key = os.environ.get(_core.UW_API_KEY_ENV, "").strip()
    sim = None
    if api_key:
        client_config = UnusualWhalesDataClientConfig()
        source = "api.unusualwhales.com (UW_API_KEY is set)"
    else:
        from nautilus_trader_uw.sim import UwSimServer
        from nautilus_trader_uw.sim import sim_client_config

        sim = UwSimServer(rate=2.0, rates=DEMO_RATES, tickers=["SPY", "QQQ"], seed=int(time.time()))
        client_config = sim_client_config(sim)
        source = f"the built-in UW simulator at {sim.ws_url} (set UW_API_KEY for the real service)"
    print(f"UW demo: a TradingNode with the Unusual Whales data client, streaming from {source}")
    print(f"         running ZeroDteFlowStrategy for {seconds:g}s ...")

    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="UWDEMO-001",
            logging=LoggingConfig(
                log_level=log_level,
                log_component_levels={"ZeroDteFlowStrategy": "INFO"},
            ),
            data_clients={UW: client_config},
            timeout_connection=15.0,
            timeout_disconnection=5.0,
            timeout_post_stop=1.0,
        ),
        loop=asyncio.new_event_loop(),
    )
    strategy = ZeroDteFlowStrategy(ZeroDteFlowConfig())
    node.trader.add_strategy(strategy)
    clients: list = []

    class _Factory(UnusualWhalesLiveDataClientFactory):
        @staticmethod
        def create(*args, **kwargs):  # type: ignore[override]
            client = UnusualWhalesLiveDataClientFactory.create(*args, **kwargs)
            clients.append(client)
            return client

    node.add_data_client_factory(UW, _Factory)
    node.build()
    stats: dict = {}

    def stop() -> None:
        stats.update(clients[0].stats())
        node.stop()

    node.get_event_loop().call_later(seconds, stop)
    started = time.monotonic()
    try:
        node.run()
    finally:
        node.dispose()
        if sim is not None:
            sim.shutdown()
    elapsed = time.monotonic() - started

    s = strategy.summary
    lag = stats.get("lag_ns") or {}
    print()
    print(f"UW demo summary ({elapsed:.1f}s)")
    print(
        f"  feed           : {'connected' if stats.get('connected') else 'NOT connected'}, "
        f"{stats.get('frames', 0)} frames, {stats.get('reconnects', 0)} reconnects, "
        f"{stats.get('parse_errors', 0)} parse errors, {stats.get('dropped', 0)} dropped"
    )
    for channel, n in sorted((stats.get("messages_per_channel") or {}).items()):
        print(f"  channel        : {channel:<22} {n:>7} messages")
    if lag:
        print(f"  lag UW->node   : p50 {lag['p50'] / 1e6:.2f} ms, p99 {lag['p99'] / 1e6:.2f} ms")
    print(f"  published      : {stats.get('published', 0)} objects to the strategy")
    print(f"  feed states    : {' -> '.join(s.feed_states) or 'none'}")
    cfg = strategy.config
    print(f"  0DTE alerts    : {s.alerts} above ${cfg.min_premium:,.0f} on {', '.join(cfg.tickers)}")
    print(f"  flow bars      : {s.bars} 1s bars of 0DTE prints on {', '.join(cfg.tickers)}, built in Rust")
    print(f"  0DTE prints    : {s.prints} summed in those bars")
    window = f"last {cfg.net_premium_window_secs}s of flow bars"
    for ticker, net in sorted(s.net_premium.items()):
        print(f"  net premium    : {ticker} {net:+,.0f} USD (0DTE calls minus puts, {window})")
    print(f"  skipped        : {dict(s.skipped) or 'none'}")
    print(f"  decisions      : {len(s.decisions)}")
    for decision in s.decisions[:10]:
        print(f"    {decision}")
    if len(s.decisions) > 10:
        print(f"    ... and {len(s.decisions) - 10} more")
    return 0 if stats.get("connected") else 1


# The simulator starts a replay at the first join; the node's other joins follow moments later and
# would miss their channels' first frames, so the replayed copy opens with this much silence.
REPLAY_LEAD_IN_SECS = 1.0
# Signals listed after a replay into a node; the rest are counted.
REPORTED_SIGNALS = 10
# How long after the recording has played a node waits for stragglers when no --seconds is given.
REPLAY_GRACE_SECS = 10.0


@dataclass
class RecordedChannel:
    """
    What a recording holds on one UW channel (``flow-alerts``, ``option_trades:SPY``, ...).
    """

    frames: int = 0  # data frames; join acknowledgements are not data (the simulator acks its own)
    records: int = 0  # the records those frames decode to
    bad: int = 0  # frames that do not decode
    types: set[type] = field(default_factory=set)
    delivered: int = 0  # filled in by the replay

    def data_types(self, channel: str) -> list[DataType]:
        """
        The subscriptions that join ``channel``: a per-ticker channel (``net_flow:SPY``) is the
        type with ``metadata={"ticker": "SPY"}``, an all-tickers one (``flow-alerts``) the bare type.
        """
        _, _, ticker = channel.partition(":")
        return [
            DataType(cls, metadata={"ticker": ticker}) if ticker else DataType(cls)
            for cls in sorted(self.types, key=lambda t: t.__name__)
        ]


@dataclass
class RecordingContents:
    """
    A recording's channels and the arrival times of its first and last frames (None without times).
    """

    channels: dict[str, RecordedChannel]
    first_ns: int | None
    last_ns: int | None

    @property
    def records(self) -> int:
        return sum(c.records for c in self.channels.values())

    @property
    def span_secs(self) -> float:
        if self.first_ns is None or self.last_ns is None:
            return 0.0
        return (self.last_ns - self.first_ns) / 1e9


def _frame_channel(frame: str) -> str | None:
    # Only the envelope's channel name: the records themselves come from the Rust parser.
    try:
        envelope = json.loads(frame)
    except ValueError:
        return None
    if isinstance(envelope, list) and envelope and isinstance(envelope[0], str):
        return envelope[0]
    return None


def read_recording(recording: Path) -> RecordingContents:
    """
    Count a recording's data frames and records per channel, and the record types on each.

    Raises ``RecordingError`` naming the file and line when it is not a recording.
    """
    channels: dict[str, RecordedChannel] = {}
    first_ns = last_ns = None
    for number, frame, received_at in recording_rows(recording):
        if received_at is not None:
            try:
                at = received_at_ns(received_at)
            except ValueError:
                raise RecordingError(f'{recording}:{number}: "received_at" {received_at!r} is not a time') from None
            first_ns = at if first_ns is None else min(first_ns, at)
            last_ns = at if last_ns is None else max(last_ns, at)
        name = _frame_channel(frame) or "(no channel)"
        try:
            decoded = _core.parse_ws_frame(frame)
        except _core.UwParseError:
            channel = channels.setdefault(name, RecordedChannel())
            channel.frames += 1
            channel.bad += 1
            continue
        if not decoded:
            continue
        channel = channels.setdefault(name, RecordedChannel())
        channel.frames += 1
        channel.records += len(decoded)
        channel.types.update(type(r) for r in decoded)
    return RecordingContents(channels, first_ns, last_ns)


def _with_lead_in(recording: Path, contents: RecordingContents, speed: float, directory: Path) -> Path:
    """
    A copy of ``recording`` that opens with ``REPLAY_LEAD_IN_SECS`` (at ``speed``) of silence: a
    join acknowledgement, which the simulator never sends. Without arrival times, the recording.
    """
    if contents.first_ns is None:
        return recording
    lead_in_ns = int(REPLAY_LEAD_IN_SECS * speed * 1e9)
    at = pd.Timestamp(contents.first_ns - lead_in_ns, unit="ns", tz="UTC").isoformat()
    frame = json.dumps(["uw-nt replay lead-in", {"response": {}, "status": "ok"}])
    copy = directory / recording.name
    with copy.open("wb") as out:
        out.write(json.dumps({"received_at": at, "frame": frame}).encode() + b"\n")
        out.write(recording.read_bytes())
    return copy


class _ChannelCounter(Actor):
    """
    Counts what the node delivers from one UW channel (its subscriptions join that channel only).
    """

    def __init__(self, index: int, data_types: list[DataType]) -> None:
        super().__init__(ActorConfig(component_id=f"UwReplayChannel-{index}"))
        self.data_types = data_types
        self.delivered = 0

    def on_start(self) -> None:
        for data_type in self.data_types:
            self.subscribe_data(data_type, client_id=UW_CLIENT_ID)

    def on_stop(self) -> None:
        for data_type in self.data_types:
            self.unsubscribe_data(data_type, client_id=UW_CLIENT_ID)

    def on_data(self, data) -> None:
        self.delivered += 1


class _RecordedFlowWatcher(FlowWatcher):
    """
    ``FlowWatcher`` on the flow-alert and option-print channels a recording holds (its own
    subscriptions join the all-tickers channels only).
    """

    def __init__(self, config: FlowWatcherConfig, data_types: list[DataType]) -> None:
        super().__init__(config)
        self._data_types = data_types

    def on_start(self) -> None:
        for data_type in self._data_types:
            self.subscribe_data(data_type, client_id=UW_CLIENT_ID)

    def on_stop(self) -> None:
        for data_type in self._data_types:
            self.unsubscribe_data(data_type, client_id=UW_CLIENT_ID)


def _watched_types(channels: dict[str, RecordedChannel], types: tuple[type, ...]) -> list[DataType]:
    """
    What an actor subscribes to hear every record of ``types`` in the recording once: the bare
    type where the recording has its all-tickers channel (that topic is a pattern, ``UwOptionTrade*``,
    which also hears the per-ticker topics), else each per-ticker channel's type.
    """
    recorded = [data_type for name, c in channels.items() for data_type in c.data_types(name)]
    watched = []
    for cls in types:
        of_type = [data_type for data_type in recorded if data_type.type is cls]
        bare = [data_type for data_type in of_type if not data_type.metadata]
        watched += bare or of_type
    return watched


def run_replay_node(recording: Path, speed: float, seconds: float | None = None) -> int:
    """
    Play ``recording`` through the simulator into a live node subscribed to every channel it holds,
    then print, per channel, the frames and records recorded and the records delivered.

    The node stops once every record has been delivered, or after ``seconds`` (default: the
    recording's duration at ``speed`` plus ``REPLAY_GRACE_SECS``). Returns the exit code: 1 when
    nothing was delivered.
    """
    from nautilus_trader_uw.sim import UwSimServer
    from nautilus_trader_uw.sim import sim_client_config

    contents = read_recording(recording)
    channels = {name: c for name, c in contents.channels.items() if c.records}
    if not channels:
        raise CliError(f"{recording}: no frame decodes to a UW record (only acknowledgements or bad frames)")
    if seconds is None:
        seconds = contents.span_secs / speed + REPLAY_LEAD_IN_SECS + REPLAY_GRACE_SECS
    with tempfile.TemporaryDirectory(prefix="uw-replay-") as tmp:
        # The simulator reads the whole file when it starts.
        replay = _with_lead_in(recording, contents, speed, Path(tmp))
        sim = UwSimServer(replay=str(replay), replay_speed=speed, rate=0.0)
    counters = {name: _ChannelCounter(i, c.data_types(name)) for i, (name, c) in enumerate(sorted(channels.items()))}
    flow_types = _watched_types(channels, (UwFlowAlert, UwOptionTrade))
    watcher = _RecordedFlowWatcher(FlowWatcherConfig(min_premium=20_000.0, min_ask_share=0.55), flow_types)
    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="UWREPLAY-001",
            logging=LoggingConfig(log_level="WARNING", log_component_levels=QUIET_NODE_COMPONENTS),
            data_clients={UW: sim_client_config(sim, stale_after_secs=None)},
            timeout_disconnection=5.0,
            timeout_post_stop=1.0,
        ),
        loop=asyncio.new_event_loop(),
    )
    for counter in counters.values():
        node.trader.add_actor(counter)
    if flow_types:
        node.trader.add_actor(watcher)
    node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
    node.build()
    loop = node.get_event_loop()
    started = time.monotonic()

    def delivered(name: str) -> int:
        # A bare DataType's topic is a pattern (``UwOptionTrade*``): its subscriber also hears the
        # per-ticker topics of its type, whose own counters say how much that was.
        heard = counters[name].delivered
        if ":" not in name:
            types = channels[name].types
            heard -= sum(
                counter.delivered
                for other, counter in counters.items()
                if ":" in other and channels[other].types & types
            )
        return heard

    def stop_when_done() -> None:
        done = all(delivered(name) >= c.records for name, c in channels.items())
        if done or time.monotonic() - started >= seconds:
            node.stop()
        else:
            loop.call_later(0.1, stop_when_done)

    loop.call_later(0.1, stop_when_done)
    try:
        node.run()
    finally:
        node.dispose()
        sim.shutdown()
    elapsed = time.monotonic() - started
    for name, channel in channels.items():
        channel.delivered = delivered(name)
    print(_replay_report(recording, speed, elapsed, contents, watcher if flow_types else None))
    return 0 if any(c.delivered for c in channels.values()) else 1


def _replay_report(
    recording: Path,
    speed: float,
    elapsed: float,
    contents: RecordingContents,
    watcher: FlowWatcher | None,
) -> str:
    delivered = sum(c.delivered for c in contents.channels.values())
    total = contents.records
    outcome = f"all {total} records delivered" if delivered == total else f"{delivered} of {total} records delivered"
    lines = [
        f"replayed {recording.name} at {speed:g}x into a node in {elapsed:.1f}s: {outcome}",
        f"  {'channel':<26} {'type':<20} {'frames':>8} {'records':>8} {'delivered':>9}",
    ]
    for name, c in sorted(contents.channels.items()):
        type_names = ",".join(sorted(t.__name__ for t in c.types)) or "-"
        bad = f"  ({c.bad} frames do not decode)" if c.bad else ""
        lines.append(f"  {name:<26} {type_names:<20} {c.frames:>8} {c.records:>8} {c.delivered:>9}{bad}")
    if watcher is not None:
        s = watcher.summary
        lines.append(
            f"FlowWatcher: {s.alerts} flow alerts, {s.trades} option prints, {len(s.signals)} signals",
        )
        lines.extend(f"  {signal}" for signal in s.signals[:REPORTED_SIGNALS])
        if len(s.signals) > REPORTED_SIGNALS:
            lines.append(f"  ... and {len(s.signals) - REPORTED_SIGNALS} more")
    return "\n".join(lines)
