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
    from nautilus_trader_uw.demo import run_replay_demo

    return run_replay_demo(Path(args.recording) if args.recording else sample_recording_path())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uw-nt", description="Unusual Whales adapter for NautilusTrader")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the example flow strategy on UW data")
    demo.add_argument("--recording", help="JSONL recording to replay (default: bundled 2025-05-16 sample)")
    demo.set_defaults(func=cmd_demo)

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
