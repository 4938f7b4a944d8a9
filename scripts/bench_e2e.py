"""
End-to-end benchmark on loopback: the UW simulator streams option prints at fixed rates into a real
``TradingNode``; a counting Actor receives them in ``on_data``. Measured the same way, in one run:

- ``uw``           the adapter (Rust WebSocket + parse + filter, batches to the loop)
- ``uw-bus``       the same with ``publish_mode="bus"`` (message bus directly, no live queue)
- ``py-json``      the pure-Python alternative: a LiveDataClient on ``websockets`` + ``json`` +
                   ``@customdataclass`` objects, on the same simulator stream
- ``py-orjson``    the same with ``orjson``
- ``bus-limit``    pre-built objects pushed through ``_handle_data`` from the loop at the same rate,
                   no network or parsing: what no adapter can beat

Per run: delivered msgs/s, messages lost (simulator drops for a slow reader + adapter queue drops),
latency frame arrival -> on_data (``ts_init``) and simulator send -> on_data (``ts_event``, ms
resolution) as p50/p99/p99.9, CPU of the loop thread per message, and peak RSS. Ratios to the
references are printed; results go to JSON.

Usage: python scripts/bench_e2e.py [--rates 1000,10000,max] [--seconds 5] [--out bench-results/e2e.json]
"""

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import deque
from pathlib import Path

import orjson
import websockets
from nautilus_trader.common.actor import Actor
from nautilus_trader.config import LiveDataClientConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.data_client import LiveDataClient
from nautilus_trader.live.factories import LiveDataClientFactory
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType
from nautilus_trader.model.identifiers import ClientId

from nautilus_trader_uw import UW
from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decode import PyOptionTrade
from bench_decode import _build_python


MAX_RATE = 200_000.0
# Publish times of the bus-limit run, consumed in order by the Counter (the queue keeps order).
PUBLISHED: deque[int] = deque()  # "max": the simulator offers far more than any consumer takes
PY = "PYBENCH"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


class Counter(Actor):
    """
    Counts messages and samples latencies and the loop thread's CPU.
    """

    def __init__(self, data_type: DataType, client_id: ClientId) -> None:
        super().__init__()
        self.data_type = data_type
        self.target = client_id
        self.n = 0
        self.arrival_lat: list[float] = []
        self.send_lat: list[float] = []
        self.window: tuple[float, float] | None = None
        self.cpu0 = 0.0
        self.n0 = 0
        self.cpu = 0.0
        self.counted = 0

    def on_start(self) -> None:
        self.subscribe_data(self.data_type, client_id=self.target)

    def on_data(self, data) -> None:
        now = time.time_ns()
        self.n += 1
        ts_init = data.ts_init or PUBLISHED.popleft()
        w = self.window
        if w is not None and w[0] <= now / 1e9 < w[1] and self.n % 7 == 0:
            self.arrival_lat.append((now - ts_init) / 1e3)
            self.send_lat.append((now - (data.ts_event or ts_init)) / 1e3)

    def begin(self, seconds: float) -> None:
        t = time.time()
        self.window = (t, t + seconds)
        self.cpu0 = time.thread_time()
        self.n0 = self.n

    def end(self) -> None:
        self.cpu = time.thread_time() - self.cpu0
        self.counted = self.n - self.n0


class PyIngestConfig(LiveDataClientConfig, frozen=True):
    url: str = ""
    decoder: str = "json"
    rate: float = 0.0
    prebuilt: bool = False


class PyIngestClient(LiveDataClient):
    """
    The reference ingestors: websockets + json/orjson + @customdataclass, or pre-built objects.
    """

    def __init__(self, loop, client_id, msgbus, cache, clock, config: PyIngestConfig) -> None:
        super().__init__(loop, client_id, None, msgbus, cache, clock, config)
        self._cfg = config
        self._task: asyncio.Task | None = None
        self._dt = DataType(PyOptionTrade)

    async def _connect(self) -> None:
        return

    async def _disconnect(self) -> None:
        if self._task:
            self._task.cancel()

    async def _subscribe(self, command) -> None:
        self._task = self._loop.create_task(self._prebuilt() if self._cfg.prebuilt else self._stream())

    async def _unsubscribe(self, command) -> None:
        if self._task:
            self._task.cancel()

    async def _stream(self) -> None:
        loads = orjson.loads if self._cfg.decoder == "orjson" else json.loads
        handle = self._handle_data
        dt = self._dt
        async with websockets.connect(self._cfg.url, max_size=None, ping_interval=None) as ws:
            await ws.send(json.dumps({"channel": "option_trades", "msg_type": "join"}))
            async for msg in ws:
                ts_init = time.time_ns()
                channel, payload = loads(msg)
                if "status" in payload:
                    continue
                handle(CustomData(dt, _build_python(channel, payload, ts_init)))

    async def _prebuilt(self) -> None:
        # The bus limit: the objects exist before the run; only _handle_data, the live engine's
        # queue and the bus remain. Latency runs from each publish (recorded in order) to on_data.
        template = {
            "id": "x",
            "underlying_symbol": "SPY",
            "option_symbol": "SPY261125C00590000",
            "executed_at": 0,
            "price": "1.0",
            "size": 1,
        }
        pool = [CustomData(self._dt, _build_python("option_trades", template, 0)) for _ in range(20_000)]
        handle = self._handle_data
        start = time.perf_counter()
        sent = 0
        while True:
            due = min(int(self._cfg.rate * (time.perf_counter() - start)) - sent, 2_000)
            for _ in range(max(due, 0)):
                PUBLISHED.append(time.time_ns())
                handle(pool[sent % len(pool)])
                sent += 1
            await asyncio.sleep(0)


class PyIngestFactory(LiveDataClientFactory):
    @staticmethod
    def create(loop, name, config, msgbus, cache, clock):
        return PyIngestClient(loop, ClientId(name), msgbus, cache, clock, config)


def run(mode: str, rate: float, seconds: float, warmup: float) -> dict:
    sim = UwSimServer(rate=0.0, rates={"option_trades": rate}, tickers=["SPY", "QQQ", "IWM", "TSLA"])
    if mode in ("uw", "uw-bus"):
        publish_mode = "bus" if mode == "uw-bus" else "engine"
        clients = {UW: sim_client_config(sim, stale_after_secs=None, publish_mode=publish_mode)}
        counter = Counter(DataType(UwOptionTrade), UW_CLIENT_ID)
    else:
        url = f"{sim.ws_url}?token={sim.token}"
        decoder = "orjson" if mode == "py-orjson" else "json"
        clients = {PY: PyIngestConfig(url=url, decoder=decoder, rate=rate, prebuilt=mode == "bus-limit")}
        counter = Counter(DataType(PyOptionTrade), ClientId(PY))
    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="BENCH-001",
            logging=LoggingConfig(log_level="ERROR"),
            data_clients=clients,
            timeout_disconnection=5.0,
            timeout_post_stop=0.5,
        ),
        loop=asyncio.new_event_loop(),
    )
    node.trader.add_actor(counter)
    node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
    node.add_data_client_factory(PY, PyIngestFactory)
    node.build()
    loop = node.get_event_loop()
    stats: dict = {}

    def begin() -> None:
        stats["sim0"] = sim.stats()
        counter.begin(seconds)

    def end() -> None:
        counter.end()
        stats["sim1"] = sim.stats()
        node.stop()

    loop.call_later(warmup, begin)
    loop.call_later(warmup + seconds, end)
    try:
        node.run()
    finally:
        node.dispose()
        sim.shutdown()
    sent = stats["sim1"]["frames_sent"] - stats["sim0"]["frames_sent"]
    dropped = stats["sim1"]["frames_dropped"] - stats["sim0"]["frames_dropped"]
    n = counter.counted
    return {
        "mode": mode,
        "rate": "max" if rate >= MAX_RATE else int(rate),
        "delivered_per_s": n / seconds,
        "sim_sent": sent,
        "sim_dropped_for_slow_reader": dropped,
        "arrival_to_on_data_us": [pct(counter.arrival_lat, p) for p in (50, 99, 99.9)],
        "send_to_on_data_us": [pct(counter.send_lat, p) for p in (50, 99, 99.9)],
        "loop_cpu_us_per_msg": counter.cpu / n * 1e6 if n else float("nan"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="1000,10000,max")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--modes", default="bus-limit,uw,uw-bus,py-json,py-orjson")
    parser.add_argument("--out", default="bench-results/e2e.json")
    args = parser.parse_args()
    rates = [MAX_RATE if r == "max" else float(r) for r in args.rates.split(",")]
    modes = args.modes.split(",")
    results = []
    for rate in rates:
        for mode in modes:
            # At "max" the bus limit publishes as fast as the loop takes them.
            rate_for = 1_000_000.0 if mode == "bus-limit" and rate >= MAX_RATE else rate
            r = run(mode, rate_for, args.seconds, args.warmup)
            r["rate"] = "max" if rate >= MAX_RATE else int(rate)
            results.append(r)
            print(
                f"{r['rate']!s:>6} {mode:<10} {r['delivered_per_s']:>10,.0f}/s  "
                f"lost@sim {r['sim_dropped_for_slow_reader']:>8}  "
                f"arrival->on_data p50/p99/p99.9 {'/'.join(f'{x:,.0f}' for x in r['arrival_to_on_data_us'])} us  "
                f"send->on_data {'/'.join(f'{x:,.0f}' for x in r['send_to_on_data_us'])} us  "
                f"cpu {r['loop_cpu_us_per_msg']:.1f} us/msg",
                flush=True,
            )
    print()
    print("ratios (same run): uw / reference, delivered msgs/s and p50/p99 arrival latency")
    for rate in {r["rate"] for r in results}:
        by = {r["mode"]: r for r in results if r["rate"] == rate}
        if "uw" not in by:
            continue
        uw_rate = by["uw"]["delivered_per_s"]
        parts = []
        if "uw-bus" in by:
            parts.append(f"uw-bus {by['uw-bus']['delivered_per_s'] / uw_rate:.2f}x uw")
        for ref in ("bus-limit", "py-json", "py-orjson"):
            if ref in by and by[ref]["delivered_per_s"]:
                parts.append(f"{uw_rate / by[ref]['delivered_per_s']:.2f}x {ref}")
        if "bus-limit" in by:
            b, u = by["bus-limit"]["arrival_to_on_data_us"], by["uw"]["arrival_to_on_data_us"]
            parts.append(f"latency p50 {u[0] / b[0]:.2f}x / p99 {u[1] / b[1]:.2f}x bus-limit")
        print(f"  rate {rate!s:>6}: " + ", ".join(parts))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out.write_text(json.dumps({"when": when, "results": results}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
