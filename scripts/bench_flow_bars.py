"""
Flow bars end to end: the same SPY option-print stream (the simulator at ``--rate`` prints/s on
``option_trades:SPY``) into a real ``TradingNode``, consumed two ways, alternated in one run:

- ``raw``   the strategy subscribes to ``UwOptionTrade`` and sums the net premium itself, per print
- ``bars``  the strategy subscribes to ``UwFlowBar`` (``interval`` 1s by default) and reads the sum

Per run: CPU of the event-loop thread per wall second (what the strategy's loop, shared with the
execution client, pays), objects delivered, prints covered (raw: prints received; bars: prints
summed in the bars), prints lost (simulator drops for a slow reader + adapter queue drops), and for
bars the latency from the interval's end (``ts_event``) to ``on_data`` as p50/p99/max, split into
its two parts: interval end -> arrival of the print that closed the bar (``ts_init``: the
simulator's pace and the socket), and arrival -> ``on_data`` (the adapter and the DataEngine). The
ratio of loop CPU (raw / bars) is printed; results go to JSON. 100 ms bars by default, so that a run
has enough of them for a p99.

Usage: python scripts/bench_flow_bars.py [--rate 50000] [--runs 2] [--seconds 8] [--interval 100ms]
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import DataType

import nautilus_trader_uw
from nautilus_trader_uw import UW
from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw import UwFlowBar
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


class NetPremiumWatcher(Actor):
    """
    Keeps a running SPY net premium from raw prints (``raw``) or from flow bars (``bars``).
    """

    def __init__(self, mode: str, interval: str) -> None:
        super().__init__(ActorConfig(component_id=f"Watcher-{mode}"))
        self.mode = mode
        if mode == "raw":
            self.data_type = DataType(UwOptionTrade, metadata={"ticker": "SPY"})
        else:
            self.data_type = DataType(UwFlowBar, metadata={"ticker": "SPY", "interval": interval})
        self.measuring = False
        self.objects = 0
        self.prints = 0
        self.net_premium = 0.0
        self.latencies_ns: list[int] = []
        self.adapter_ns: list[int] = []
        self.cpu0 = self.wall0 = 0.0
        self.cpu = self.wall = 0.0

    def on_start(self) -> None:
        self.subscribe_data(self.data_type, client_id=UW_CLIENT_ID)

    def on_data(self, data) -> None:
        if not self.measuring:
            return
        self.objects += 1
        if self.mode == "raw":
            # What a strategy without bars does: side and premium per print, in Python.
            side = 1.0 if data.price >= data.nbbo_ask else -1.0 if data.price <= data.nbbo_bid else 0.0
            sign = 1.0 if data.option_type == "call" else -1.0
            self.net_premium += side * sign * data.size * data.price * 100.0
            self.prints += 1
        else:
            now = time.time_ns()
            self.latencies_ns.append(now - data.ts_event)
            self.adapter_ns.append(now - data.ts_init)
            self.net_premium += data.net_premium
            self.prints += data.prints

    def begin(self) -> None:
        self.measuring = True
        self.cpu0, self.wall0 = time.thread_time(), time.monotonic()

    def end(self) -> None:
        self.cpu, self.wall = time.thread_time() - self.cpu0, time.monotonic() - self.wall0
        self.measuring = False


def pct(values: list[int], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def run(mode: str, rate: float, seconds: float, warmup: float, interval: str) -> dict:
    with UwSimServer(rate=0.0, rates={"option_trades": rate}, tickers=["SPY"], seed=1) as sim:
        config = TradingNodeConfig(
            trader_id="BENCH-001",
            logging=LoggingConfig(log_level="ERROR"),
            data_clients={UW: sim_client_config(sim, queue_capacity=1_000_000)},
            timeout_disconnection=2.0,
            timeout_post_stop=0.5,
        )
        node = TradingNode(config=config, loop=asyncio.new_event_loop())
        watcher = NetPremiumWatcher(mode, interval)
        node.trader.add_actor(watcher)
        clients: list = []

        class Factory(UnusualWhalesLiveDataClientFactory):
            @staticmethod
            def create(*args, **kwargs):  # type: ignore[override]
                client = UnusualWhalesLiveDataClientFactory.create(*args, **kwargs)
                clients.append(client)
                return client

        node.add_data_client_factory(UW, Factory)
        node.build()
        loop = node.get_event_loop()
        stats: dict = {}

        def end() -> None:
            watcher.end()
            stats.update(clients[0].stats())
            stats["sim"] = sim.stats()
            node.stop()

        loop.call_later(warmup, watcher.begin)
        loop.call_later(warmup + seconds, end)
        try:
            node.run()
        finally:
            # The node's own tasks (its actors' executor workers) end on the loop before
            # `dispose` closes it: left pending, each run of this process printed "Task was
            # destroyed but it is pending!" when the collector reached them.
            node.kernel.cancel_all_tasks()
            node.dispose()
    lat, adapter = watcher.latencies_ns, watcher.adapter_ns
    return {
        "mode": mode,
        "rate": rate,
        "loop_cpu_per_s": watcher.cpu / watcher.wall if watcher.wall else float("nan"),
        "objects_per_s": watcher.objects / watcher.wall if watcher.wall else 0.0,
        "prints_per_s": watcher.prints / watcher.wall if watcher.wall else 0.0,
        "lost": int(stats.get("dropped", 0)) + int(stats["sim"].get("frames_dropped", 0)),
        "parse_errors": stats.get("parse_errors", 0),
        "late_prints": (stats.get("flow_bars") or {}).get("late_prints", 0),
        "latency_ms": {
            "p50": pct(lat, 50) / 1e6,
            "p99": pct(lat, 99) / 1e6,
            "max": (max(lat) / 1e6) if lat else float("nan"),
        },
        "adapter_latency_ms": {
            "p50": pct(adapter, 50) / 1e6,
            "p99": pct(adapter, 99) / 1e6,
            "max": (max(adapter) / 1e6) if adapter else float("nan"),
        },
        "bars": len(lat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rate", type=float, default=50_000.0, help="option prints per second")
    parser.add_argument("--runs", type=int, default=2, help="runs of each mode, alternated")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--interval", default="100ms", help="flow-bar interval")
    parser.add_argument("--out", default="bench-results/flow-bars.json")
    args = parser.parse_args()

    import nautilus_trader

    print(
        f"flow bars end to end: {args.rate:,.0f} SPY prints/s, {args.runs} x {args.seconds:g}s per mode; "
        f"Python {sys.version.split()[0]}, nautilus_trader {nautilus_trader.__version__}, "
        f"unusual-whales-nt {nautilus_trader_uw.__version__}",
    )
    rows = []
    for i in range(args.runs):
        for mode in ("raw", "bars"):
            row = run(mode, args.rate, args.seconds, args.warmup, args.interval)
            rows.append(row)
            lat = row["latency_ms"]
            latency = ""
            if mode == "bars":
                part = row["adapter_latency_ms"]
                latency = (
                    f"\n      {row['bars']} bars: interval end -> on_data p50 {lat['p50']:.2f} p99 {lat['p99']:.2f} "
                    f"max {lat['max']:.2f} ms; of which arrival -> on_data p50 {part['p50']:.2f} "
                    f"p99 {part['p99']:.2f} max {part['max']:.2f} ms"
                )
            print(
                f"  run {i + 1} {mode:<4}: loop CPU {row['loop_cpu_per_s'] * 1000:7.1f} ms/s, "
                f"{row['objects_per_s']:9,.1f} objects/s covering {row['prints_per_s']:9,.0f} prints/s, "
                f"lost {row['lost']}, late {row['late_prints']}{latency}",
            )
    raw = statistics.median(r["loop_cpu_per_s"] for r in rows if r["mode"] == "raw")
    bars = statistics.median(r["loop_cpu_per_s"] for r in rows if r["mode"] == "bars")
    p99 = max(r["latency_ms"]["p99"] for r in rows if r["mode"] == "bars")
    adapter_p99 = max(r["adapter_latency_ms"]["p99"] for r in rows if r["mode"] == "bars")
    lost = sum(r["lost"] for r in rows)
    print(
        f"loop CPU raw / bars: {raw / bars:.1f}x less with flow bars "
        f"(medians {raw * 1000:.1f} vs {bars * 1000:.2f} ms/s; "
        f"target >= 20x); worst p99 interval end -> on_data {p99:.2f} ms (target <= 2 ms), "
        f"of which arrival -> on_data {adapter_p99:.2f} ms; lost {lost} (target 0)",
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"rows": rows, "ratio": raw / bars, "lost": lost}
    summary |= {"worst_p99_ms": p99, "worst_adapter_p99_ms": adapter_p99}
    out.write_text(json.dumps(summary, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
