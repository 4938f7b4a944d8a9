"""
The event loop's share of the live path, one run, ratios against a baseline measured in the same run.

The adapter parses on its own thread; what the event loop (shared with the strategy and the
execution client) still pays per record is taking it from the queue, building its Python object
and its ``CustomData`` wrapper, and freeing both. Measured here on the loop thread's CPU clock,
without a node (the engine's own cost is ``bench_e2e.py``'s bus limit), in two regimes:

- ``keeping pace``: the simulator streams option prints as fast as the reader takes them and the
  loop hands each batch on as it arrives;
- ``behind``: the loop sleeps while the queue fills, then drains the backlog, whose records were
  parsed long before and have left the caches (a strategy that fell behind a burst).

Baseline, on the same prints from a recorded session: what a pure-Python ingestor's loop pays
per record, ``orjson.loads`` + a ``@customdataclass`` object + its ``CustomData`` (``bench_decode.py``'s
types), and the same with ``json.loads``.

Usage: python scripts/bench_delivery.py [--quick] [--rounds 3] [--out bench-results/delivery.json]
"""

import argparse
import asyncio
import gc
import json
import time
from datetime import datetime
from pathlib import Path

import orjson

# The script's own directory is on the path when it runs: the baseline is bench_decode.py's.
from bench_decode import PyOptionTrade
from bench_decode import _build_python
from bench_decode import _frames
from bench_decode import write_result
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import _core
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.types import UwOptionTrade


MAX_BATCH = 64  # the adapter's default


async def _loop_side(records: int) -> dict[str, float]:
    """
    Loop-thread CPU per record in both regimes, one feed against the in-process simulator.
    """
    loop = asyncio.get_running_loop()
    data_type = DataType(UwOptionTrade)
    route_types: dict = {}
    counted = {"records": 0}
    waiting: dict = {"done": None, "records": 0}  # the drain under way: its future and its count

    def resolve(route):
        route_types[route] = (data_type,)
        return (data_type,)

    def handle(wrapped) -> None:
        # The client's _handle_data, as a sink that counts.
        counted["records"] += 1
        if counted["records"] == waiting["records"]:
            waiting["done"].set_result(None)

    def on_batch(objects, routes, logs) -> None:
        pass  # with an engine delivery only log lines come here

    async def drain(n: int) -> tuple[float, float]:
        counted["records"] = 0
        waiting["done"], waiting["records"] = loop.create_future(), n
        batches0 = engine.batches
        cpu0 = time.thread_time()
        await waiting["done"]
        cpu_ns = (time.thread_time() - cpu0) * 1e9
        return cpu_ns / counted["records"], counted["records"] / (engine.batches - batches0)

    with UwSimServer(rate=0.0, rates={"option_trades": float("inf")}, tickers=["SPY", "QQQ", "IWM", "TSLA"]) as sim:
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, queue_capacity=records * 4)
        # What the client's default path runs: the drain hands each record to it as it builds it.
        engine = _core._EngineDelivery(route_types, resolve, handle)
        feed.start(loop, on_batch, MAX_BATCH, engine)
        feed.subscribe("UwOptionTrade", [])
        try:
            await drain(min(records, 20_000))  # connected, joined, warm
            pace, pace_batch = await drain(records)
            # The loop blocked until the backlog is there (the strategy busy elsewhere).
            deadline = time.monotonic() + 60.0
            while feed.stats()["queue_depth"] < records and time.monotonic() < deadline:
                time.sleep(0.05)
            stats = feed.stats()
            queued, dropped = stats["queue_depth"], stats["dropped"]
            behind, behind_batch = await drain(records)
        finally:
            await loop.run_in_executor(None, feed.close, 5.0)
    if queued < records or dropped:
        raise RuntimeError(f"the backlog was {queued:,} records ({dropped:,} dropped), {records:,} wanted")
    return {
        "keeping_pace_ns": pace,
        "behind_ns": behind,
        "keeping_pace_records_per_batch": pace_batch,
        "behind_records_per_batch": behind_batch,
        "backlog": queued,
    }


def _python_ingestor_ns(frames: list[bytes], loads) -> float:
    """
    Loop CPU per record of a pure-Python ingestor: decode, build the object, wrap it.
    """
    data_type = DataType(PyOptionTrade)
    cpu0 = time.thread_time()
    for frame in frames:
        channel, payload = loads(frame)
        CustomData(data_type, _build_python(channel, payload, 1))
    return (time.thread_time() - cpu0) / len(frames) * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds; the best of each is kept")
    parser.add_argument("--out", default="bench-results/delivery.json")
    args = parser.parse_args()
    records, rounds = (5_000, 1) if args.quick else (200_000, args.rounds)

    frames = [f for f in _frames(20_000 if not args.quick else 2_000) if b"option_trades" in f[:20]]
    gc.disable()  # both sides alike: the collector's pauses are bench_e2e.py's subject
    runs: list[dict[str, float]] = []
    for _ in range(rounds):
        run = asyncio.run(_loop_side(records))
        run["orjson_ns"] = _python_ingestor_ns(frames, orjson.loads)
        run["json_ns"] = _python_ingestor_ns(frames, json.loads)
        runs.append(run)
    gc.enable()
    best = {k: min(r[k] for r in runs) for k in ("keeping_pace_ns", "behind_ns", "orjson_ns", "json_ns")}
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "records_per_regime": records,
        "runs": runs,
        "best": best,
        "ratio_orjson_vs_keeping_pace": best["orjson_ns"] / best["keeping_pace_ns"],
        "ratio_orjson_vs_behind": best["orjson_ns"] / best["behind_ns"],
        "ratio_json_vs_behind": best["json_ns"] / best["behind_ns"],
    }

    print(f"event-loop CPU per option print, best of {rounds} round(s) ({records:,} records per regime)")
    print(f"{'':<48}{'ns':>8}{'orjson / it':>14}{'json / it':>12}")
    rows = [
        ("uw, keeping pace (its wake-ups included)", best["keeping_pace_ns"]),
        ("uw, behind (full batches, out of cache)", best["behind_ns"]),
        ("py-orjson: loads + @customdataclass + CustomData", best["orjson_ns"]),
        ("py-json: loads + @customdataclass + CustomData", best["json_ns"]),
    ]
    for name, ns in rows:
        print(f"  {name:<46}{ns:>8,.0f}{best['orjson_ns'] / ns:>14.2f}{best['json_ns'] / ns:>12.2f}")
    for i, r in enumerate(runs, 1):
        print(
            f"  round {i}: keeping pace {r['keeping_pace_ns']:,.0f} ({r['keeping_pace_records_per_batch']:.1f} "
            f"records per batch), behind {r['behind_ns']:,.0f} ({r['behind_records_per_batch']:.1f}), "
            f"orjson {r['orjson_ns']:,.0f}, json {r['json_ns']:,.0f} ns"
        )

    write_result(Path(args.out), result)


if __name__ == "__main__":
    main()
