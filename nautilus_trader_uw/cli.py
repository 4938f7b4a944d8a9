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


def _metadata(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"metadata must be KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def cmd_download(args: argparse.Namespace) -> int:
    from nautilus_trader_uw import _core
    from nautilus_trader_uw.history import download
    from nautilus_trader_uw.history import parse_day

    metadata = _metadata(args.metadata)
    if args.ticker:
        metadata["ticker"] = args.ticker
    try:
        client = _core.UwRestClient(base_url=args.base_url_http, api_key=args.api_key)
        counts = download(
            client,
            args.type,
            metadata,
            parse_day(args.start),
            parse_day(args.end),
            args.catalog,
            show_progress=not args.quiet,
        )
    except (ValueError, _core.UwRequestError) as e:
        print(f"download failed: {e}", file=sys.stderr)
        return 1
    print(
        f"{args.type}: {counts['records']} records from {counts['days']} days written to {args.catalog} "
        f"({counts['skipped']} days already there)",
    )
    return 0


def _subscription(text: str) -> tuple[str, dict[str, str]]:
    type_name, _, rest = text.partition(":")
    return type_name, _metadata([p for p in rest.split(";") if p])


def cmd_record(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.history import record

    subs = [_subscription(s) for s in args.subscribe] or [("UwFlowAlert", {})]
    try:
        counts = record(subs, args.seconds, args.out, url=args.base_url_ws, api_key=args.api_key)
    except ValueError as e:
        print(f"record failed: {e}", file=sys.stderr)
        return 1
    print(f"recorded {counts.pop('frames')} frames to {args.out}/frames.jsonl ({counts.pop('parse_errors')} bad)")
    for name, n in sorted(counts.items()):
        print(f"  {name:<22} {n:>8} -> {args.out}/catalog")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    if args.catalog:
        from nautilus_trader_uw.history import replay_to_catalog

        counts = replay_to_catalog(args.path, args.catalog)
        for name, n in sorted(counts.items()):
            print(f"  {name:<22} {n:>8}")
        print(f"written to {args.catalog}")
        return 0
    from nautilus_trader_uw.demo import run_replay_node

    return run_replay_node(Path(args.path), args.speed, args.seconds)


def cmd_doctor(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.doctor import print_report
    from nautilus_trader_uw.doctor import run_doctor

    checks = run_doctor(args.base_url_http, args.base_url_ws, args.api_key, args.days_back)
    return 0 if print_report(checks) else 1


def _connection_args(p: argparse.ArgumentParser) -> None:
    from nautilus_trader_uw import _core

    p.add_argument("--api-key", default=None, help=f"the token (default: ${_core.UW_API_KEY_ENV})")
    p.add_argument("--base-url-http", default=_core.UW_HTTP_BASE_URL)
    p.add_argument("--base-url-ws", default=_core.UW_WS_URL)


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

    dl = sub.add_parser("download", help="download UW history into a ParquetDataCatalog (resumable)")
    dl.add_argument("--type", required=True, help="UW data type, e.g. UwFlowAlert, UwNetPremTick")
    dl.add_argument("--ticker", help="underlying, e.g. SPY")
    dl.add_argument("--start", required=True, help="first New York date: YYYY-MM-DD, today or -N")
    dl.add_argument("--end", default="today", help="last New York date (default today)")
    dl.add_argument("--catalog", required=True, help="catalog directory")
    dl.add_argument(
        "--metadata", action="append", default=[], metavar="KEY=VALUE", help="filters, e.g. min_premium=100000"
    )
    dl.add_argument("--quiet", action="store_true", help="no progress bar")
    _connection_args(dl)
    dl.set_defaults(func=cmd_download)

    rec = sub.add_parser("record", help="tee the live stream to disk: raw frames and a catalog")
    rec.add_argument(
        "--subscribe", action="append", default=[], metavar="TYPE[:k=v;k=v]", help="e.g. UwFlowAlert:ticker=SPY"
    )
    rec.add_argument("--seconds", type=float, default=60.0)
    rec.add_argument("--out", required=True, help="output directory")
    _connection_args(rec)
    rec.set_defaults(func=cmd_record)

    rp = sub.add_parser("replay", help="play a JSONL recording into a catalog, or into a node at N x speed")
    rp.add_argument("path", help="recording (frames.jsonl from `uw-nt record`, or UW's sample)")
    rp.add_argument("--catalog", help="write the decoded records to this catalog instead of running a node")
    rp.add_argument("--speed", type=float, default=1.0, help="replay speed multiplier for the node")
    rp.add_argument("--seconds", type=float, default=30.0, help="how long the node runs")
    rp.set_defaults(func=cmd_replay)

    doc = sub.add_parser("doctor", help="check a UW key: REST, WebSocket entitlement, history depth, quota")
    doc.add_argument("--days-back", type=int, default=60, help="trading days of history to probe")
    _connection_args(doc)
    doc.set_defaults(func=cmd_doctor)

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
