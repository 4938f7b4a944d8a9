"""
End-to-end benchmark on loopback: the UW simulator streams option prints at fixed rates into a real
``TradingNode``; a counting Actor receives them in ``on_data``. Measured the same way, in one run:

- ``uw``           the adapter (Rust WebSocket + parse + filter, batches to the loop)
- ``uw-bus``       the same with ``publish_mode="bus"`` (message bus directly, no live queue)
- ``uw-fresh``     ``uw`` without its recycling of wrappers and record objects (a new pair for
                   every record, ``_EngineDelivery(recycle=False)``): not in the default modes,
                   for an A/B of that change in one run
- ``py-json``      the pure-Python alternative: a LiveDataClient on ``websockets`` + ``json`` +
                   ``@customdataclass`` objects, on the same simulator stream
- ``py-orjson``    the same with ``orjson``
- ``bus-limit``    pre-built objects pushed through ``_handle_data`` from the loop at the same rate,
                   no network or parsing, at most ``max_batch`` (the adapter's default) per loop
                   turn like the adapter: what no adapter can beat
- ``wake-limit``   the same objects, each announced from another process through a socket the loop
                   watches (at most ``max_batch`` per loop turn): the bus limit plus the one
                   cross-thread hop every receiver that does not run on the loop thread pays
                   (latency floor for such a design)

Per run: delivered msgs/s, messages lost (simulator drops for a slow reader + adapter queue drops),
latency frame arrival -> on_data (``ts_init``) and simulator send -> on_data (the send instant
the simulator writes into each pooled frame's id, a version 7 UUID: ``UwSimServer.sent_at_ns``) as
p50/p99/p99.9, CPU of the loop thread per message, peak RSS, the hypervisor's steal time in
the window (a stall of the whole VM sets a 5-second p99.9 by itself), and the process's draw in
NautilusTrader's publish check (``publish_check``: what the bus's test against its externally
publishable types costs each message of the delivered type in that process). Every run starts in a
fresh interpreter (``run_isolated``). Ratios to the
references are printed; results go to JSON.

Usage: python scripts/bench_e2e.py [--rates 1000,10000,50000,max] [--runs 3] [--seconds 5] [--tail-seconds 20]
       python scripts/bench_e2e.py --report bench-results/e2e.json   (print a saved run again)
       python scripts/bench_e2e.py --soak 600 [--soak-rate 10000]     (memory over time)
"""

import argparse
import asyncio
import functools
import gc
import json
import os
import resource
import socket
import statistics
import struct
import subprocess
import sys
import time
from array import array
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
from nautilus_trader_uw import _core
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decode import PyOptionTrade
from bench_decode import _build_python


# "max": the simulator streams as fast as the slowest reader takes (backpressure, no drops), the
# bus limit publishes as fast as the loop takes them.
MAX_RATE = float("inf")
# The modes that run the adapter itself.
ADAPTER_MODES = ("uw", "uw-bus", "uw-fresh")
# The highest rate whose p99.9 is compared with the ingestors' run by run (#17: 10k msgs/s).
TAIL_RATE = 10_000
# Publish times of the bus-limit run, consumed in order by the Counter (the queue keeps order).
PUBLISHED: deque[int] = deque()
SENT_AT_NS = UwSimServer.sent_at_ns
PY = "PYBENCH"
# Frames the simulator builds once and sends in turn (about 8 MB).
PREGENERATED = 8192
# The references hand the loop at most this many messages per turn, as the adapter does: with
# thousands in flight per turn, NautilusTrader's live queue objects outlive young collections and
# set off full ones (measured at full rate: 100-200 ms/s of GC and 9-19 full collections in 5 s
# with 2,000 per turn; the adapter, 64 per turn, none), a cost of the reference's batching, not
# of the bus.
REFERENCE_BATCH = int(_core.setting_defaults()["max_batch"])
PREBUILT_TEMPLATE = {
    "id": "x",
    "underlying_symbol": "SPY",
    "option_symbol": "SPY261125C00590000",
    "executed_at": 0,
    "price": "1.0",
    "size": 1,
}
# The wake-limit announcer: <rate> timestamps per second (0: as fast as the socket takes them),
# each the wall-clock time it was written, 8 bytes each.
WAKE_WRITER = """
import os, struct, sys, time
rate, fd = float(sys.argv[1]), int(sys.argv[2])
start, sent = time.perf_counter(), 0
while True:
    due = int(rate * (time.perf_counter() - start)) - sent if rate else 256
    if due > 0:
        now = time.time_ns()
        os.write(fd, struct.pack("q", now) * due)
        sent += due
    if rate:
        time.sleep(0.0001)
"""


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


class Counter(Actor):
    """
    Counts messages and records the latency of every one in the window, and the loop thread's CPU.
    """

    def __init__(
        self,
        data_type: DataType,
        client_id: ClientId,
        keep: int | None = None,
        streamed: bool = True,
        every: int = 1,
    ) -> None:
        super().__init__()
        # Streamed from the simulator (the send instant is in each record's id), or pre-built.
        self.streamed = streamed
        self.data_type = data_type
        self.target = client_id
        self.n = 0
        # Nanoseconds in arrays of machine integers: a sample allocates nothing the garbage collector
        # tracks (a tuple per message would add collections to the tails being measured), so every
        # message is kept and a run's p99.9 is its fiftieth worst at 10k msgs/s, not its seventh.
        self.arrival_ns = array("q")
        self.send_ns = array("q")
        # A soak keeps at least the last `keep` (memory is what it measures).
        self.keep = keep
        # At full rate one in `every`: reading the send instant back costs the loop a fraction of a
        # microsecond that the pre-built references (bus-limit, wake-limit) do not pay, and the
        # latency of a full queue is not what those runs measure.
        self.every = every
        self.unreadable = 0
        self.window: tuple[int, int] | None = None
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
        if w is None or not w[0] <= now < w[1] or self.n % self.every:
            return
        # Pre-built references count from their publish, which ts_init holds.
        sent = SENT_AT_NS(data.id) if self.streamed else ts_init
        if sent is None:
            self.unreadable += 1
            return
        self.arrival_ns.append(now - ts_init)
        self.send_ns.append(now - sent)
        if self.keep is not None and len(self.send_ns) >= 2 * self.keep:
            del self.arrival_ns[: self.keep]
            del self.send_ns[: self.keep]

    @property
    def arrival_lat(self) -> list[float]:
        """Latency from the frame's arrival in the process (``ts_init``), µs."""
        return [x / 1e3 for x in self.arrival_ns]

    @property
    def send_lat(self) -> list[float]:
        """
        Latency from the simulator's send (µs). The references without a send (pre-built objects)
        count from their publish.
        """
        if self.unreadable:
            raise ValueError(f"{self.unreadable} streamed records carried no send instant (not pooled frames)")
        return [x / 1e3 for x in self.send_ns]

    def begin(self, seconds: float) -> None:
        t = time.time_ns()
        self.window = (t, t + int(seconds * 1e9))
        self.cpu0 = time.thread_time()
        self.n0 = self.n

    def end(self) -> None:
        self.cpu = time.thread_time() - self.cpu0
        self.counted = self.n - self.n0


class GcWatch:
    """
    Time the loop thread spends in the cyclic garbage collector, and how many full collections.

    At these rates NautilusTrader's live queue allocates several GC-tracked objects per message;
    a full collection walks the whole heap and stalls the loop for tens of milliseconds, which
    is where the throughput and the tail latency of the standard path go.
    """

    def __init__(self) -> None:
        self.active = False
        self.seconds = 0.0
        self.full = 0
        self.longest = 0.0
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        elif self.active:
            pause = time.perf_counter() - self._t0
            self.seconds += pause
            self.longest = max(self.longest, pause)
            self.full += info["generation"] == 2


class PyIngestConfig(LiveDataClientConfig, frozen=True):
    url: str = ""
    decoder: str = "json"
    rate: float = 0.0
    prebuilt: bool = False
    wake: bool = False


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
        if getattr(self, "_wake_proc", None):
            self._loop.remove_reader(self._wake_sock.fileno())
            self._wake_proc.kill()
            self._wake_proc.wait()
            self._wake_sock.close()

    async def _subscribe(self, command) -> None:
        if self._cfg.wake:
            self._start_wake_writer()
            return
        self._task = self._loop.create_task(self._prebuilt() if self._cfg.prebuilt else self._stream())

    def _start_wake_writer(self) -> None:
        # The wake limit: pre-built objects again, but each is announced by another process
        # (no GIL shared) through a socket the loop watches, with the time it was announced.
        # What it adds to the bus limit is the one cross-thread hop any receiver off the loop
        # thread pays (the adapter's tokio reader included): wake-up, loop turn, engine queue.
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        self._wake_sock = reader
        self._wake_proc = subprocess.Popen(
            [sys.executable, "-c", WAKE_WRITER, str(self._cfg.rate), str(writer.fileno())],
            pass_fds=(writer.fileno(),),
        )
        writer.close()
        obj = CustomData(self._dt, _build_python("option_trades", PREBUILT_TEMPLATE, 0))
        handle = self._handle_data
        rest = b""

        def on_readable() -> None:
            nonlocal rest
            try:
                # What is left stays readable: the loop comes back on its next turn.
                data = rest + reader.recv(8 * REFERENCE_BATCH - len(rest))
            except BlockingIOError:
                return
            n = len(data) // 8
            rest = data[n * 8 :]
            for (sent_ns,) in struct.iter_unpack("q", data[: n * 8]):
                PUBLISHED.append(sent_ns)
                handle(obj)

        self._loop.add_reader(reader.fileno(), on_readable)

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
        pool = [CustomData(self._dt, _build_python("option_trades", PREBUILT_TEMPLATE, 0)) for _ in range(20_000)]
        handle = self._handle_data
        start = time.perf_counter()
        sent = 0
        while True:
            rate = self._cfg.rate  # 0: as fast as the loop takes them
            due = min(int(rate * (time.perf_counter() - start)) - sent, REFERENCE_BATCH) if rate else REFERENCE_BATCH
            for _ in range(max(due, 0)):
                PUBLISHED.append(time.time_ns())
                handle(pool[sent % len(pool)])
                sent += 1
            # Paced: wait for the next message's time instead of spinning (which would bill the
            # loop thread's CPU to the reference); at full speed just let the engine run.
            await asyncio.sleep(0 if due > 0 or not rate else 1 / rate)


class PyIngestFactory(LiveDataClientFactory):
    @staticmethod
    def create(loop, name, config, msgbus, cache, clock):
        return PyIngestClient(loop, ClientId(name), msgbus, cache, clock, config)


def steal_ms() -> float:
    """
    CPU time the hypervisor gave to other guests while this VM's vCPUs wanted to run, summed
    over the vCPUs since boot, ms (``/proc/stat``; 0 on bare metal). A stall of the whole VM
    sets the p99.9 of a 5-second window by itself, in whichever mode it falls.
    """
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) * 1e3 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def publish_check(msgbus, sample: object) -> dict:
    """
    What NautilusTrader's message bus spends on ``sample`` before it reaches a subscriber, in this
    process. ``MessageBus.publish_c`` (1.221 and 1.231) tests every message with
    ``isinstance(msg, self._publishable_types)``, the tuple of the 130-odd types registered for
    external publishing, which includes every ``@customdataclass`` and every UW record type. Each
    type before the message's own is a failed test (a ``__class__`` lookup), and the tuple's order
    follows the type objects' addresses, so where a record type lands, and what every one of its
    messages costs, is drawn anew by each process: the same for every path that delivers that
    type, different between the adapter's records and the references'.
    """
    # The bus's own tuple (a private Cython field, visited by the collector's traversal).
    types = next(
        (
            t
            for t in gc.get_referents(msgbus)
            if isinstance(t, tuple) and str in t and bytes in t and all(isinstance(x, type) for x in t)
        ),
        None,
    )
    if types is None:
        raise RuntimeError("this NautilusTrader's MessageBus holds no tuple of publishable types to price")
    position = next((i for i, t in enumerate(types) if isinstance(sample, t)), len(types))

    def best_ns(against: tuple) -> float:
        best = float("inf")
        for _ in range(7):
            start = time.perf_counter_ns()
            for _ in range(2_000):
                isinstance(sample, against)
            best = min(best, (time.perf_counter_ns() - start) / 2_000)
        return best

    # Less the same test matched at once: the loop and the call are not the bus's.
    spent = max(best_ns(types) - best_ns((type(sample),)), 0.0)
    return {"types": len(types), "failed_before_match": position, "us_per_msg": spent / 1e3}


def sample_message(mode: str) -> object:
    """One message of the type ``mode`` delivers to the strategy."""
    if mode in ADAPTER_MODES:
        frame = json.dumps(["option_trades", {**PREBUILT_TEMPLATE, "id": "0"}]).encode()
        return _core.parse_ws_frame(frame)[0]
    return _build_python("option_trades", PREBUILT_TEMPLATE, 0)


def current_rss_mb() -> float:
    # ru_maxrss is the peak; growth needs the resident size now.
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(mode: str, rate: float, seconds: float, warmup: float, rss_every: float = 0.0, gc_freeze: bool = False) -> dict:
    PUBLISHED.clear()
    every = 64 if rate >= MAX_RATE else 1
    # Pre-generated prints, restamped when sent: the load generator shares the two cores with what
    # it measures, and a copy per frame costs it a fraction of a generated print.
    sim = UwSimServer(
        rate=0.0, rates={"option_trades": rate}, tickers=["SPY", "QQQ", "IWM", "TSLA"], pregenerate=PREGENERATED
    )
    if mode in ADAPTER_MODES:
        publish_mode = "bus" if mode == "uw-bus" else "engine"
        if mode == "uw-fresh":
            # This interpreter runs this one mode (run_isolated): the client's delivery is built
            # without its recycling.
            _core._EngineDelivery = functools.partial(_core._EngineDelivery, recycle=False)
        clients = {UW: sim_client_config(sim, stale_after_secs=None, publish_mode=publish_mode)}
        created: list = []

        class Factory(UnusualWhalesLiveDataClientFactory):
            @staticmethod
            def create(*args, **kwargs):  # type: ignore[override]
                created.append(UnusualWhalesLiveDataClientFactory.create(*args, **kwargs))
                return created[-1]

        counter = Counter(DataType(UwOptionTrade), UW_CLIENT_ID, keep=20_000 if rss_every else None, every=every)
    else:
        url = f"{sim.ws_url}?token={sim.token}"
        decoder = "orjson" if mode == "py-orjson" else "json"
        pace = 0.0 if rate >= MAX_RATE else rate
        clients = {
            PY: PyIngestConfig(
                url=url, decoder=decoder, rate=pace, prebuilt=mode == "bus-limit", wake=mode == "wake-limit"
            )
        }
        counter = Counter(
            DataType(PyOptionTrade),
            ClientId(PY),
            keep=20_000 if rss_every else None,
            streamed=mode not in ("bus-limit", "wake-limit"),
            every=every,
        )
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
    node.add_data_client_factory(UW, Factory if mode in ADAPTER_MODES else UnusualWhalesLiveDataClientFactory)
    node.add_data_client_factory(PY, PyIngestFactory)
    node.build()
    # Before the run: the probe's own allocations must not land in the measured window.
    check = publish_check(node.kernel.msgbus, sample_message(mode))
    # Every run starts from a settled collector, as a node does a few seconds after its start:
    # the import residue (13-15k NautilusTrader functions, descriptors and tuples, still in the
    # young generations after the build) is otherwise walked by a generation-1 collection that
    # stalls the loop 3-5 ms on this machine, inside the measured window of some runs and not of
    # others, and that one stall alone sets the p99.9 of a 5-second run at 10k msgs/s.
    gc.collect()
    if gc_freeze:
        # What a tuned deployment does once its node is built: everything allocated so far
        # (NautilusTrader, pandas, pyarrow, the instruments) leaves the collector's generations,
        # so a full collection walks only what was allocated since.
        gc.freeze()
    loop = node.get_event_loop()
    stats: dict = {}
    watch = GcWatch()
    gc.callbacks.append(watch)

    rss: list[tuple[float, float]] = []

    def sample_rss(t0: float) -> None:
        rss.append((time.monotonic() - t0, current_rss_mb()))
        if rss_every:
            loop.call_later(rss_every, sample_rss, t0)

    def begin() -> None:
        stats["sim0"] = sim.stats()
        stats["steal0"] = steal_ms()
        watch.active = True
        counter.begin(seconds)
        sample_rss(time.monotonic())

    def end() -> None:
        counter.end()
        stats["steal1"] = steal_ms()
        watch.active = False
        stats["sim1"] = sim.stats()
        rss.append((seconds, current_rss_mb()))
        if mode in ADAPTER_MODES:
            stats["uw"] = created[0].stats()
        node.stop()

    loop.call_later(warmup, begin)
    loop.call_later(warmup + seconds, end)
    try:
        node.run()
    finally:
        gc.callbacks.remove(watch)
        if gc_freeze:
            gc.unfreeze()
        node.dispose()
        sim.shutdown()
    sent = stats["sim1"]["frames_sent"] - stats["sim0"]["frames_sent"]
    dropped = stats["sim1"]["frames_dropped"] - stats["sim0"]["frames_dropped"]
    n = counter.counted
    return {
        "mode": mode,
        "rate": "max" if rate >= MAX_RATE else int(rate),
        "delivered_per_s": n / seconds,
        "window_s": seconds,
        "sim_sent": sent,
        "sim_dropped_for_slow_reader": dropped,
        "arrival_to_on_data_us": [pct(counter.arrival_lat, p) for p in (50, 99, 99.9)],
        "send_to_on_data_us": [pct(counter.send_lat, p) for p in (50, 99, 99.9)],
        "loop_cpu_us_per_msg": counter.cpu / n * 1e6 if n else float("nan"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_mb_over_time": rss,
        "adapter_dropped_counted": stats.get("uw", {}).get("dropped", 0),
        # The default path's records handed on in a recycled wrapper and object (warm-up included).
        "recycled_share": stats.get("uw", {}).get("recycled", 0) / max(stats.get("uw", {}).get("published", 0), 1),
        "gc_ms_per_s": watch.seconds * 1e3 / seconds,
        "gc_full_collections": watch.full,
        "gc_longest_pause_us": watch.longest * 1e6,
        "gc_freeze": gc_freeze,
        "steal_ms_in_window": stats["steal1"] - stats["steal0"],
        "publish_check": check,
    }


def median_row(rows: list[dict]) -> dict:
    """
    The median of each figure over repeated runs of one (rate, mode).
    """
    med = statistics.median
    out = dict(rows[0])
    for key in (
        "delivered_per_s",
        "loop_cpu_us_per_msg",
        "peak_rss_mb",
        "sim_dropped_for_slow_reader",
        "gc_ms_per_s",
        "gc_full_collections",
        "adapter_dropped_counted",
    ):
        out[key] = med(r[key] for r in rows)
    for key in ("arrival_to_on_data_us", "send_to_on_data_us"):
        out[key] = [med(r[key][i] for r in rows) for i in range(3)]
    out["runs"] = len(rows)
    out["delivered_per_s_each_run"] = [r["delivered_per_s"] for r in rows]
    return out


def print_table(medians: list[dict]) -> None:
    print()
    frozen = " (gc.freeze() after node.build())" if medians[0].get("gc_freeze") else ""
    print(
        f"medians of {medians[0]['runs']} run(s){frozen}; latency in us; cpu = loop thread per message; "
        "gc = ms per second in the cyclic GC, full collections in the window"
    )
    print(
        f"{'rate':>6} {'mode':<10} {'msgs/s':>10} {'arrival->on_data p50/p99/p99.9':>32} "
        f"{'send->on_data p50/p99':>22} {'cpu us':>7} {'lost':>6} {'gc ms/s':>8} {'full':>5}"
    )
    for r in medians:
        a, snd = r["arrival_to_on_data_us"], r["send_to_on_data_us"]
        # A paced bus-limit polls the loop between messages: its CPU per message means nothing.
        cpu = "-" if r["mode"] == "bus-limit" and r["rate"] != "max" else f"{r['loop_cpu_us_per_msg']:.1f}"
        print(
            f"{r['rate']!s:>6} {r['mode']:<10} {r['delivered_per_s']:>10,.0f} "
            f"{'/'.join(f'{x:,.0f}' for x in a):>32} {'/'.join(f'{x:,.0f}' for x in snd[:2]):>22} "
            f"{cpu:>7} {r['sim_dropped_for_slow_reader']:>6.0f} "
            f"{r['gc_ms_per_s']:>8.0f} {r['gc_full_collections']:>5.0f}"
        )


def ratios(medians: list[dict]) -> list[str]:
    """
    The adapter's figures as ratios to the references of the same run, and at full rate the
    ceiling NautilusTrader puts on the default path's ratios to the ingestors.
    """
    lines = []
    for rate in dict.fromkeys(r["rate"] for r in medians):
        by = {r["mode"]: r for r in medians if r["rate"] == rate}
        for mode in ("uw", "uw-bus"):
            if mode not in by:
                continue
            u = by[mode]
            parts = []
            if rate == "max":
                for ref in ("bus-limit", "wake-limit", "py-json", "py-orjson"):
                    if ref in by and by[ref]["delivered_per_s"]:
                        parts.append(f"throughput {u['delivered_per_s'] / by[ref]['delivered_per_s']:.2f}x {ref}")
                # The reader outruns the loop at full rate: its queue fills and drops, counted.
                parts.append(f"dropped at its full queue {u['adapter_dropped_counted']:,.0f} (counted, reported)")
            else:
                for ref in ("py-json", "py-orjson"):
                    if ref in by:
                        cpu = by[ref]["loop_cpu_us_per_msg"] / u["loop_cpu_us_per_msg"]
                        parts.append(f"loop CPU/msg {cpu:.2f}x less than {ref}")
            for ref in ("bus-limit", "wake-limit"):
                if ref in by:
                    b, a = by[ref]["arrival_to_on_data_us"], u["arrival_to_on_data_us"]
                    parts.append(f"latency p50 {a[0] / b[0]:.2f}x / p99 {a[1] / b[1]:.2f}x {ref}")
            lines.append(f"  {rate!s:>6} {mode:<7}: " + ", ".join(parts))
        if rate == "max" and "bus-limit" in by:
            lines += default_path_ceiling(by)
    return lines


def default_path_ceiling(by: dict[str, dict]) -> list[str]:
    """
    The default path hands every message to NautilusTrader's live data engine as the bus limit
    does, so its throughput over an ingestor's can exceed the bus limit's over that ingestor only
    by what the bus limit's own loop costs (a timestamp and an append per message): that ratio is
    the ceiling an adapter with no cost of its own would reach on this path, in this run.
    """
    limit = by["bus-limit"]["delivered_per_s"]
    parts = [
        f"bus-limit {limit / by[ref]['delivered_per_s']:.2f}x {ref}"
        for ref in ("py-json", "py-orjson")
        if ref in by and by[ref]["delivered_per_s"]
    ]
    if not parts or "uw" not in by:
        return []
    share = by["uw"]["delivered_per_s"] / limit
    return [
        "  NautilusTrader's ceiling for the default path (same run): "
        + ", ".join(parts)
        + f"; the default path reached {share:.0%} of it"
    ]


def publish_check_lines(results: list[dict]) -> list[str]:
    """
    Each run's draw in NautilusTrader's message bus (``publish_check``): what testing one message
    against the bus's externally publishable types cost in that run's process, and at full rate
    the loop CPU per message less that cost, the comparison that no draw decides.
    """
    checked = [r for r in results if "publish_check" in r]
    if not checked:
        return []
    lines = []
    for rate in dict.fromkeys(r["rate"] for r in checked):
        for run_no in sorted({r["run"] for r in checked}):
            by = {r["mode"]: r for r in checked if r["rate"] == rate and r["run"] == run_no}
            parts = [
                f"{mode} {c['us_per_msg']:.2f} us ({c['failed_before_match']} of {c['types']} types)"
                for mode, c in ((m, by[m]["publish_check"]) for m in by)
            ]
            lines.append(f"  {rate!s:>6} run {run_no + 1}: " + ", ".join(parts))
    at_max = [r for r in checked if r["rate"] == "max"]
    net = {
        mode: statistics.median(r["loop_cpu_us_per_msg"] - r["publish_check"]["us_per_msg"] for r in rows)
        for mode in dict.fromkeys(r["mode"] for r in at_max)
        if (rows := [r for r in at_max if r["mode"] == mode])
    }
    if net:
        line = "  full rate, loop CPU per message less that check (medians): " + ", ".join(
            f"{mode} {us:.2f} us" for mode, us in net.items()
        )
        if "bus-limit" in net:
            line += "; the bus limit spends " + ", ".join(
                f"{net['bus-limit'] / net[mode]:.2f}x {mode}'s" for mode in ADAPTER_MODES if net.get(mode)
            )
        lines.append(line)
    return lines


def tails(results: list[dict]) -> list[str]:
    """
    The p99.9 of every run at each fixed rate, the adapter's against the pure-Python ingestors',
    from two origins. ``send`` (the instant the simulator sent the frame, read from its id to
    244 ns) is the same instant for every mode: what a strategy waits for. ``arrival`` is not: the
    adapter stamps a frame when its Rust reader takes it off the socket, before the loop knows of
    it, so the wait behind the frames of the same burst and behind whatever else the loop runs
    counts; an ingestor on the loop stamps a frame only when the loop gets to it, after that wait.
    """
    lines = []
    for rate in dict.fromkeys(r["rate"] for r in results if r["rate"] != "max"):
        for run_no in sorted({r["run"] for r in results}):
            by = {r["mode"]: r for r in results if r["rate"] == rate and r["run"] == run_no}
            refs = [m for m in ("py-json", "py-orjson") if m in by]
            for mode in ("uw", "uw-bus"):
                if mode not in by or not refs:
                    continue
                parts = []
                for key, origin in (("send_to_on_data_us", "send"), ("arrival_to_on_data_us", "arrival")):
                    own = by[mode][key][2]
                    best = min(by[m][key][2] for m in refs)
                    verdict = "<=" if own <= best else "WORSE than"
                    parts.append(f"{origin} {own:,.0f} us {verdict} the best ingestor's {best:,.0f}")
                gc_pauses = ", ".join(f"{m} {by[m].get('gc_longest_pause_us', 0):,.0f}" for m in (mode, *refs))
                steal = ", ".join(f"{m} {by[m].get('steal_ms_in_window', float('nan')):,.0f}" for m in (mode, *refs))
                window = by[mode].get("window_s")
                lines.append(
                    f"  {rate!s:>6} run {run_no + 1} {mode:<7}: p99.9"
                    + (f" of {window:g} s" if window else "")
                    + " "
                    + "; ".join(parts)
                    + f" (longest GC pause, us: {gc_pauses}; hypervisor steal in the window, ms: {steal})"
                )
    return lines


def window_seconds(rate: float, args: argparse.Namespace) -> float:
    """
    The measured window of a run. At the rates whose p99.9 is compared run by run (up to
    ``TAIL_RATE``) it is ``--tail-seconds``: over 5 seconds at 10k/s the p99.9 is the 50th-worst
    sample, so one stall of the VM of a few milliseconds, in one mode's window and not in the
    other's, sets it by itself; over 20 seconds it takes several. The other rates measure rates
    and CPU, for which ``--seconds`` is plenty.
    """
    return args.tail_seconds if rate <= TAIL_RATE else args.seconds


def run_isolated(mode: str, rate: float, args: argparse.Namespace) -> dict:
    """
    One run in a fresh interpreter. In one process the references drifted with what ran before
    them (measured: the bus limit at full rate 200k msgs/s after eighteen runs, 380k+ in a fresh
    process, the adapter's rows unchanged), so every run starts from the same state.
    """
    cmd = [sys.executable, __file__, "--one", mode, "--one-rate", str(rate)]
    cmd += ["--seconds", str(window_seconds(rate, args)), "--warmup", str(args.warmup)]
    if args.gc_freeze:
        cmd.append("--gc-freeze")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} at {rate}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="1000,10000,50000,max")
    parser.add_argument("--seconds", type=float, default=5.0, help="window at 50k/s and full rate")
    parser.add_argument(
        "--tail-seconds",
        type=float,
        default=20.0,
        help=f"window at rates up to {TAIL_RATE:,}/s, whose p99.9 is compared run by run",
    )
    parser.add_argument("--report", default="", metavar="JSON", help="print the tables of a saved run again")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the table shows medians")
    parser.add_argument("--modes", default="bus-limit,wake-limit,uw,uw-bus,py-json,py-orjson")
    parser.add_argument("--out", default="bench-results/e2e.json")
    parser.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="instead: run the adapter this long at --soak-rate and report RSS growth and drops",
    )
    parser.add_argument("--soak-rate", type=float, default=10_000.0)
    parser.add_argument("--one", default="", help=argparse.SUPPRESS)
    parser.add_argument("--one-rate", default="inf", help=argparse.SUPPRESS)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help=(
            "gc.freeze() after each node is built (a tuned deployment); "
            "the default only collects once after the build, as a node settles in its first seconds"
        ),
    )
    args = parser.parse_args()
    if args.one:
        # A child of run_isolated: one run, its result as the last line.
        r = run(args.one, float(args.one_rate), args.seconds, args.warmup, gc_freeze=args.gc_freeze)
        print(json.dumps(r), flush=True)
        return
    if args.soak:
        soak(args)
        return
    if args.report:
        report(json.loads(Path(args.report).read_text()))
        return
    rates = [MAX_RATE if r == "max" else float(r) for r in args.rates.split(",")]
    modes = args.modes.split(",")
    results = []
    # Runs interleaved, so a noisy minute spreads over every mode instead of hitting one.
    for run_no in range(args.runs):
        for rate in rates:
            for mode in modes:
                r = run_isolated(mode, rate, args)
                r["rate"] = "max" if rate >= MAX_RATE else int(rate)
                r["run"] = run_no
                results.append(r)
                print(
                    f"run {run_no + 1}/{args.runs} {r['rate']!s:>6} {mode:<10} {r['delivered_per_s']:>10,.0f}/s  "
                    f"arrival->on_data p50/p99/p99.9 {'/'.join(f'{x:,.0f}' for x in r['arrival_to_on_data_us'])} us  "
                    f"cpu {r['loop_cpu_us_per_msg']:.1f} us/msg"
                    + (f"  recycled {r['recycled_share']:.0%}" if mode in ("uw", "uw-fresh") else ""),
                    flush=True,
                )
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    saved = report({"when": when, "results": results})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(saved, indent=1))
    print(f"wrote {out}")


def report(saved: dict) -> dict:
    """
    Print the medians, the ratios and the per-run tails of ``saved["results"]`` (a run just made,
    or one read back from its JSON, whose own figures are recomputed so old files gain new lines)
    and return the report to save.
    """
    results = saved["results"]
    modes = list(dict.fromkeys(r["mode"] for r in results))
    medians = [
        median_row([r for r in results if r["rate"] == rate and r["mode"] == mode])
        for rate in dict.fromkeys(r["rate"] for r in results)
        for mode in modes
    ]
    print_table(medians)
    print()
    print("ratios (medians, same run):")
    lines = ratios(medians)
    print("\n".join(lines))
    print()
    print("p99.9 of every run against the pure-Python ingestors (send: the simulator's send instant):")
    tail_lines = tails(results)
    print("\n".join(tail_lines))
    check_lines = publish_check_lines(results)
    if check_lines:
        print()
        print(
            "NautilusTrader's publish check, per message in each run's process (isinstance against the bus's "
            "externally publishable types; where a type falls among them is drawn per process):"
        )
        print("\n".join(check_lines))
    return {
        "when": saved["when"],
        "medians": medians,
        "ratios": lines,
        "tails": tail_lines,
        "publish_checks": check_lines,
        "results": results,
    }


def soak(args: argparse.Namespace) -> None:
    r = run("uw", args.soak_rate, args.soak, args.warmup, rss_every=10.0)
    samples = r["rss_mb_over_time"]
    # Growth after the first minute: allocator arenas and caches settle in the first seconds.
    settled = [mb for t, mb in samples if t >= min(60.0, args.soak / 4)] or [samples[0][1]]
    growth = samples[-1][1] - settled[0]
    r["rss_growth_mb"] = growth
    # Frames sent in the window minus those delivered or counted as dropped: only what was in
    # flight at the window's edges (a few at this rate) may differ.
    unaccounted = r["sim_sent"] - r["adapter_dropped_counted"] - round(r["delivered_per_s"] * args.soak)
    r["sent_minus_delivered_and_counted"] = unaccounted
    print(
        f"soak {args.soak:.0f}s at {args.soak_rate:,.0f}/s: delivered {r['delivered_per_s']:,.0f}/s, "
        f"RSS {samples[0][1]:.0f} -> {samples[-1][1]:.0f} MB (growth after settling {growth:+.1f} MB), "
        f"dropped by the simulator {r['sim_dropped_for_slow_reader']}, by the adapter (counted) "
        f"{r['adapter_dropped_counted']}, sent minus delivered and counted {unaccounted} (window edges)",
        flush=True,
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "soak": r}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
