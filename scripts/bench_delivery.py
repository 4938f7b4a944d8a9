"""
The event loop's share of the live path, one run, ratios against a baseline measured in the same run.

The adapter parses on its own thread; what the event loop (shared with the strategy and the
execution client) still pays per record is taking it from the queue, building its Python object
and its ``CustomData`` wrapper (or moving it into a pair NautilusTrader has let go of, the
delivery's recycling), and freeing them. The sink holds each wrapper until a later turn of the
loop, as NautilusTrader's live engine queue does. Measured here on the loop thread's CPU clock,
without a node (the engine's own cost is ``bench_e2e.py``'s bus limit), in two regimes:

- ``keeping pace``: the simulator streams option prints as fast as the reader takes them and the
  loop hands each batch on as it arrives;
- ``behind``: the loop sleeps while the queue fills, then drains the backlog, whose records were
  parsed long before and have left the caches (a strategy that fell behind a burst).

Baseline, on the same prints from a recorded session: what a pure-Python ingestor's loop pays
per record, ``orjson.loads`` + a ``@customdataclass`` object + its ``CustomData`` (``bench_decode.py``'s
types), and the same with ``json.loads``; and the adapter's own code without its recycling
(``_EngineDelivery(recycle=False)``), alternated with it.

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


async def _loop_side(records: int, recycle: bool = True) -> dict[str, float]:
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

    # The client's _handle_data, as a sink that holds each wrapper the way NautilusTrader's live
    # engine does: queued, and let go on a later turn of the loop once its task has reached it
    # (which is what lets the delivery recycle a pair; a sink that dropped each wrapper at once
    # would flatter it).
    engine_queue: list = []

    def engine_turn() -> None:
        counted["records"] += len(engine_queue)
        engine_queue.clear()
        done = waiting["done"]
        if counted["records"] >= waiting["records"] and not done.done():
            done.set_result(None)

    def handle(wrapped) -> None:
        if not engine_queue:
            loop.call_soon(engine_turn)
        engine_queue.append(wrapped)

    def on_batch(objects, routes, logs) -> None:
        pass  # with an engine delivery only log lines come here

    async def drain(n: int) -> tuple[float, float, float]:
        counted["records"] = 0
        waiting["done"], waiting["records"] = loop.create_future(), n
        batches0, recycled0, published0 = engine.batches, engine.recycled, engine.published
        cpu0 = time.thread_time()
        await waiting["done"]
        cpu_ns = (time.thread_time() - cpu0) * 1e9
        n = counted["records"]
        # Of the records handed on in the window (the sink counts them a turn later).
        recycled = (engine.recycled - recycled0) / max(engine.published - published0, 1)
        return cpu_ns / n, n / (engine.batches - batches0), recycled

    with UwSimServer(rate=0.0, rates={"option_trades": float("inf")}, tickers=["SPY", "QQQ", "IWM", "TSLA"]) as sim:
        feed = _core.UwLiveFeed(url=sim.ws_url, api_key=sim.token, queue_capacity=records * 4)
        # What the client's default path runs: the drain hands each record to it as it builds it.
        engine = _core._EngineDelivery(route_types, resolve, handle, recycle=recycle)
        feed.start(loop, on_batch, MAX_BATCH, engine)
        feed.subscribe("UwOptionTrade", [])
        try:
            await drain(min(records, 20_000))  # connected, joined, warm
            pace, pace_batch, pace_recycled = await drain(records)
            # The loop blocked until the backlog is there (the strategy busy elsewhere).
            deadline = time.monotonic() + 60.0
            while feed.stats()["queue_depth"] < records and time.monotonic() < deadline:
                time.sleep(0.05)
            stats = feed.stats()
            queued, dropped = stats["queue_depth"], stats["dropped"]
            behind, behind_batch, behind_recycled = await drain(records)
        finally:
            await loop.run_in_executor(None, feed.close, 5.0)
    if queued < records or dropped:
        raise RuntimeError(f"the backlog was {queued:,} records ({dropped:,} dropped), {records:,} wanted")
    return {
        "keeping_pace_ns": pace,
        "behind_ns": behind,
        "keeping_pace_records_per_batch": pace_batch,
        "behind_records_per_batch": behind_batch,
        "keeping_pace_recycled": pace_recycled,
        "behind_recycled": behind_recycled,
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
    for i in range(rounds):
        # Against the same code building a new object and wrapper for every record, which goes
        # first alternating from round to round.
        sides = {}
        for recycle in (True, False) if i % 2 == 0 else (False, True):
            sides[recycle] = asyncio.run(_loop_side(records, recycle=recycle))
        run, fresh = sides[True], sides[False]
        run["fresh_keeping_pace_ns"], run["fresh_behind_ns"] = fresh["keeping_pace_ns"], fresh["behind_ns"]
        run["orjson_ns"] = _python_ingestor_ns(frames, orjson.loads)
        run["json_ns"] = _python_ingestor_ns(frames, json.loads)
        runs.append(run)
    gc.enable()
    keys = ("keeping_pace_ns", "behind_ns", "fresh_keeping_pace_ns", "fresh_behind_ns", "orjson_ns", "json_ns")
    best = {k: min(r[k] for r in runs) for k in keys}
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
        ("uw without recycling, keeping pace", best["fresh_keeping_pace_ns"]),
        ("uw without recycling, behind", best["fresh_behind_ns"]),
        ("py-orjson: loads + @customdataclass + CustomData", best["orjson_ns"]),
        ("py-json: loads + @customdataclass + CustomData", best["json_ns"]),
    ]
    for name, ns in rows:
        print(f"  {name:<46}{ns:>8,.0f}{best['orjson_ns'] / ns:>14.2f}{best['json_ns'] / ns:>12.2f}")
    for i, r in enumerate(runs, 1):
        print(
            f"  round {i}: keeping pace {r['keeping_pace_ns']:,.0f} ({r['keeping_pace_records_per_batch']:.1f} "
            f"records per batch, {r['keeping_pace_recycled']:.0%} recycled), behind {r['behind_ns']:,.0f} "
            f"({r['behind_records_per_batch']:.1f}, {r['behind_recycled']:.0%}), "
            f"without recycling {r['fresh_keeping_pace_ns']:,.0f} and {r['fresh_behind_ns']:,.0f}, "
            f"orjson {r['orjson_ns']:,.0f}, json {r['json_ns']:,.0f} ns"
        )

    write_result(Path(args.out), result)


if __name__ == "__main__":
    main()
