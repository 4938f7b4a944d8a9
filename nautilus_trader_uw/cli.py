"""
The ``uw-nt`` command line.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from nautilus_trader_uw import UwParseError
from nautilus_trader_uw import parse_ws_frame
from nautilus_trader_uw.samples import sample_recording_path


def _load_recording(path: Path) -> list[str]:
    """
    Frames from a JSONL recording (``{"frame": ...}`` per line) or a file of raw frames per line.
    """
    frames = []
    with path.open() as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            frames.append(obj["frame"] if isinstance(obj, dict) else line)
    return frames


def decode_recording(path: Path) -> tuple[list, Counter]:
    """
    Decode every frame of a recording; return the Data objects (sorted by event time) and counts.

    Records are stamped ``ts_init = ts_event``: a recording's wall clock has no time zone.
    """
    records = []
    counts: Counter = Counter()
    for frame in _load_recording(path):
        try:
            decoded = parse_ws_frame(frame, ts_init=0)
        except UwParseError as e:
            counts[f"error:{e.kind}"] += 1
            continue
        if not decoded:
            counts["ack"] += 1
        for obj in decoded:
            counts[type(obj).__name__] += 1
            records.append(type(obj).from_dict({**obj.to_dict(), "ts_init": obj.ts_event}))
    records.sort(key=lambda r: r.ts_init)
    return records, counts


def cmd_parse(args: argparse.Namespace) -> int:
    records, counts = decode_recording(Path(args.path))
    if args.print:
        for r in records:
            print(repr(r))
    for name, n in sorted(counts.items()):
        print(f"{name:>28}: {n}")
    return 1 if any(k.startswith("error:") for k in counts) and args.strict else 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.replay or args.recording:
        from nautilus_trader_uw.demo import run_replay_demo

        return run_replay_demo(Path(args.recording) if args.recording else sample_recording_path())
    from nautilus_trader_uw.demo import run_live_demo

    return run_live_demo(args.seconds, log_level=args.log_level)


def cmd_sim(args: argparse.Namespace) -> int:
    import time

    from nautilus_trader_uw.sim import UwSimServer

    rates = dict(r.split("=", 1) for r in args.channel_rate)
    sim = UwSimServer(
        seed=args.seed,
        tickers=args.tickers.split(","),
        rate=args.rate,
        rates={k: float(v) for k, v in rates.items()},
        replay=args.replay,
        replay_speed=args.speed,
        replay_loop=args.loop,
        token=args.token,
        host=args.host,
        ws_port=args.ws_port,
        http_port=args.http_port,
    )
    print(f"UW simulator: WebSocket {sim.ws_url}?token={args.token}")
    print(f"              REST      {sim.http_url}/api/...  (Authorization: Bearer {args.token})")
    print("Point a client at it with base_url_ws / base_url_http and api_key; Ctrl-C stops it.", flush=True)
    try:
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stats = sim.stats()
        sim.shutdown()
    served = f"{stats['connections']} connections, {stats['frames_sent']} frames"
    print(f"served {served}, {stats['http_requests']} REST requests")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uw-nt", description="Unusual Whales adapter for NautilusTrader")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run a live node with the example 0DTE flow strategy")
    demo.add_argument("--seconds", type=float, default=20.0, help="how long the node runs (default 20)")
    demo.add_argument("--log-level", default="WARNING", help="node log level (the strategy logs at INFO)")
    demo.add_argument("--replay", action="store_true", help="replay the bundled recording in a backtest instead")
    demo.add_argument("--recording", help="JSONL recording to replay (implies --replay)")
    demo.set_defaults(func=cmd_demo)

    sim = sub.add_parser("sim", help="run the UW simulator (WebSocket + REST) on loopback")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--ws-port", type=int, default=8765)
    sim.add_argument("--http-port", type=int, default=8766)
    sim.add_argument("--token", default="sim-token", help="the token clients must present")
    sim.add_argument("--tickers", default="SPY,QQQ", help="tickers of the all-tickers channels")
    sim.add_argument("--rate", type=float, default=5.0, help="frames/s per joined channel")
    sim.add_argument("--channel-rate", action="append", default=[], metavar="KIND=RATE", help="e.g. option_trades=1000")
    sim.add_argument("--seed", type=int, default=42)
    sim.add_argument("--replay", help="replay this JSONL recording instead of generating")
    sim.add_argument("--speed", type=float, default=1.0, help="replay speed multiplier")
    sim.add_argument("--loop", action="store_true", help="restart the replay at its end")
    sim.add_argument("--seconds", type=float, default=0.0, help="stop after this long (0 = until Ctrl-C)")
    sim.set_defaults(func=cmd_sim)

    parse = sub.add_parser("parse", help="decode a recording of raw UW WebSocket frames")
    parse.add_argument("path", nargs="?", default=str(sample_recording_path()))
    parse.add_argument("--print", action="store_true", help="print every decoded record")
    parse.add_argument("--strict", action="store_true", help="exit 1 if any frame fails to decode")
    parse.set_defaults(func=cmd_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
