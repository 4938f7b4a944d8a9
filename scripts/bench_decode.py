"""
Python-level decode benchmark, one run, ratios against baselines measured in the same run.

(a) ``nautilus_trader_uw.parse_ws_frame`` (Rust parse + Rust-built Data objects)
(b) ``json.loads`` + the same conversions in Python + ``@customdataclass`` objects
(c) ``orjson.loads`` + the same
and the cost of constructing one object each way.

Usage: python scripts/bench_decode.py [--quick] [--out bench-results/decode.json]
"""

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

import orjson
from nautilus_trader.core.data import Data
from nautilus_trader.model.custom import customdataclass
from nautilus_trader.model.identifiers import InstrumentId

import nautilus_trader_uw as uw
from nautilus_trader_uw.samples import sample_recording_path
from nautilus_trader_uw.symbology import ib_pads_occ_root


_PAD = ib_pads_occ_root()


def _ib_option_symbol(occ: str) -> str:
    # The id the installed IB adapter uses: from NautilusTrader 1.223 the root is padded to 6.
    return occ[:-15].ljust(6) + occ[-15:] if _PAD else occ


# What a user would write instead: @customdataclass types with the fields a strategy reads.
@customdataclass
class PyFlowAlert(Data):
    id: str = ""
    ticker: str = ""
    option_chain: str = ""
    rule_name: str = ""
    underlying_price: float = 0.0
    price: float = 0.0
    bid: float = 0.0
    ask: float = 0.0
    total_premium: float = 0.0
    total_ask_side_prem: float = 0.0
    total_bid_side_prem: float = 0.0
    total_size: int = 0
    trade_count: int = 0
    volume: int = 0
    open_interest: int = 0
    has_sweep: bool = False
    has_floor: bool = False
    instrument_id: InstrumentId = None


@customdataclass
class PyOptionTrade(Data):
    id: str = ""
    underlying_symbol: str = ""
    option_symbol: str = ""
    price: float = 0.0
    size: int = 0
    premium: float = 0.0
    strike: float = 0.0
    expiry: str = ""
    option_type: str = ""
    nbbo_bid: float = 0.0
    nbbo_ask: float = 0.0
    underlying_price: float = 0.0
    implied_volatility: float = 0.0
    delta: float = 0.0
    gamma: float = 0.0
    theta: float = 0.0
    vega: float = 0.0
    volume: int = 0
    open_interest: int = 0
    tags: str = ""
    exchange: str = ""
    instrument_id: InstrumentId = None


def _f(v) -> float:
    return float(v) if v not in (None, "") else 0.0


def _build_python(channel: str, p: dict, ts_init: int):
    if channel == "flow-alerts":
        ts = int(p["end_time"]) * 1_000_000
        return PyFlowAlert(
            ts,
            ts_init,
            p["id"],
            p["ticker"],
            p["option_chain"],
            p.get("rule_name") or "",
            _f(p.get("underlying_price")),
            _f(p.get("price")),
            _f(p.get("bid")),
            _f(p.get("ask")),
            _f(p["total_premium"]),
            _f(p.get("total_ask_side_prem")),
            _f(p.get("total_bid_side_prem")),
            int(p.get("total_size") or 0),
            int(p.get("trade_count") or 0),
            int(p.get("volume") or 0),
            int(p.get("open_interest") or 0),
            bool(p.get("has_sweep")),
            bool(p.get("has_floor")),
            InstrumentId.from_str(_ib_option_symbol(p["option_chain"]) + ".SMART"),
        )
    if channel.startswith("option_trades"):
        return PyOptionTrade(
            int(p["executed_at"]) * 1_000_000,
            ts_init,
            p["id"],
            p["underlying_symbol"],
            p["option_symbol"],
            _f(p["price"]),
            int(p["size"]),
            _f(p.get("premium")),
            _f(p.get("strike")),
            p.get("expiry") or "",
            p.get("option_type") or "",
            _f(p.get("nbbo_bid")),
            _f(p.get("nbbo_ask")),
            _f(p.get("underlying_price")),
            _f(p.get("implied_volatility")),
            _f(p.get("delta")),
            _f(p.get("gamma")),
            _f(p.get("theta")),
            _f(p.get("vega")),
            int(p.get("volume") or 0),
            int(p.get("open_interest") or 0),
            ",".join(p.get("tags") or []),
            p.get("exchange") or "",
            InstrumentId.from_str(_ib_option_symbol(p["option_symbol"]) + ".SMART"),
        )
    return None


def _frames(burst: int) -> list[bytes]:
    lines = sample_recording_path().read_text().splitlines()
    frames = [json.loads(line)["frame"] for line in lines]
    data = [f for f in frames if "flow-alerts" in f[:20] or "option_trades" in f[:20]]
    data = [f for f in data if '"status"' not in f]
    out = [data[i % len(data)].encode() for i in range(burst)]
    return out


def _rate(fn, frames, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(frames)
        best = min(best, time.perf_counter() - t0)
    return len(frames) / best


def run_rust(frames):
    parse = uw.parse_ws_frame
    for f in frames:
        parse(f, 1)


def run_json(frames):
    loads = json.loads
    for f in frames:
        channel, payload = loads(f)
        _build_python(channel, payload, 1)


def run_orjson(frames):
    loads = orjson.loads
    for f in frames:
        channel, payload = loads(f)
        _build_python(channel, payload, 1)


def _per_object_ns(fn, n: int) -> float:
    t0 = time.perf_counter_ns()
    for _ in range(n):
        fn()
    return (time.perf_counter_ns() - t0) / n


def write_result(out: Path, result: dict) -> None:
    """
    Write a benchmark's results as JSON (creating the directory) and say where.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", default="bench-results/decode.json")
    args = parser.parse_args()
    burst, repeat, n_obj = (2_000, 2, 2_000) if args.quick else (50_000, 5, 100_000)

    frames = _frames(burst)
    # Same objects each way: check once that both decoders agree on what matters.
    [rust_obj] = uw.parse_ws_frame(frames[0], 1)
    channel, payload = json.loads(frames[0])
    py_obj = _build_python(channel, payload, 1)
    assert rust_obj.ts_event == py_obj.ts_event and rust_obj.instrument_id == py_obj.instrument_id

    rates = {
        "rust_parse_ws_frame": _rate(run_rust, frames, repeat),
        "json_loads_customdataclass": _rate(run_json, frames, repeat),
        "orjson_loads_customdataclass": _rate(run_orjson, frames, repeat),
    }

    trade = next(o for o in (uw.parse_ws_frame(f, 1) for f in frames) if isinstance(o[0], uw.UwOptionTrade))[0]
    kwargs = trade.to_dict()
    alert_frame = next(f for f in frames if b"flow-alerts" in f[:20])
    alert_payload = json.loads(alert_frame)[1]
    construct = {
        "rust_parse_ws_frame_ns": _per_object_ns(lambda: uw.parse_ws_frame(alert_frame, 1), n_obj),
        "orjson_loads_plus_customdataclass_ns": _per_object_ns(
            lambda: _build_python("flow-alerts", orjson.loads(alert_frame)[1], 1),
            n_obj,
        ),
        "customdataclass_constructor_only_ns": _per_object_ns(
            lambda: _build_python("flow-alerts", alert_payload, 1),
            n_obj,
        ),
        "uw_keyword_constructor_ns": _per_object_ns(lambda: uw.UwOptionTrade(**kwargs), n_obj),
    }
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "frames": len(frames),
        "msgs_per_sec": rates,
        "ratio_rust_vs_json": rates["rust_parse_ws_frame"] / rates["json_loads_customdataclass"],
        "ratio_rust_vs_orjson": rates["rust_parse_ws_frame"] / rates["orjson_loads_customdataclass"],
        "construct": construct,
        "ratio_orjson_build_vs_rust": construct["orjson_loads_plus_customdataclass_ns"]
        / construct["rust_parse_ws_frame_ns"],
    }

    print(f"{'decoder':<34}{'msgs/s':>12}{'x vs json':>11}{'x vs orjson':>13}")
    for name, r in rates.items():
        json_ratio = r / rates["json_loads_customdataclass"]
        orjson_ratio = r / rates["orjson_loads_customdataclass"]
        print(f"{name:<34}{r:>12,.0f}{json_ratio:>11.2f}{orjson_ratio:>13.2f}")
    print()
    print(f"one real flow alert ({len(alert_frame)} bytes, {len(alert_payload.get('trade_ids', []))} trade ids):")
    for name, ns in construct.items():
        print(f"  {name:<40}{ns / 1000:>8.2f} us")
    print(f"  orjson + @customdataclass / parse_ws_frame = {result['ratio_orjson_build_vs_rust']:.2f}x")
    n_fields = len(uw.UwFlowAlert._FIELD_NAMES)
    print(f"  (the Rust object carries all {n_fields} UW fields; the @customdataclass 18 of them)")

    write_result(Path(args.out), result)


if __name__ == "__main__":
    main()
