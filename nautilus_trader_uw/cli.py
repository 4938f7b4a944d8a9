"""
The ``uw-nt`` command line.

A failure the user can fix ends as one line on stderr, ``uw-nt <command>: error: ...``, and a
non-zero exit code; argument errors use argparse's usage message. ``UW_NT_DEBUG=1`` shows the
traceback instead.
"""

import argparse
import contextlib
import difflib
import json
import math
import os
import re
import socket
import sys
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import NoReturn

import nautilus_trader

from nautilus_trader_uw import __version__
from nautilus_trader_uw import _core
from nautilus_trader_uw.cli_support import CliError
from nautilus_trader_uw.cli_support import check_recording
from nautilus_trader_uw.cli_support import decode_recording
from nautilus_trader_uw.cli_support import end_status_line
from nautilus_trader_uw.cli_support import operation_lines
from nautilus_trader_uw.cli_support import removed_if_left_empty
from nautilus_trader_uw.samples import sample_recording_path
from nautilus_trader_uw.types import ALL_TYPES


TYPE_NAMES = sorted(t.__name__ for t in ALL_TYPES)
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "OFF")
DEBUG_ENV = "UW_NT_DEBUG"


# The core's messages are written for the Python API; the command line spells the same things
# with its options.
_PYTHON_METADATA = re.compile(r"metadata=(\{[^{}]*\})")


def cli_wording(message: str, command: str) -> str:
    """
    Rewrite the Python spellings in a message from the core (``metadata={"ticker": "SPY"}``,
    ``api_key``, ``request_data``) into ``command``'s options.
    """

    def as_options(match: re.Match) -> str:
        try:
            pairs = json.loads(match.group(1))
        except ValueError:
            return match.group(0)
        if command == "record":
            type_name = re.match(r"Uw\w+", message)
            filters = ";".join(f"{key}={value}" for key, value in pairs.items())
            return f"--subscribe {type_name.group(0) if type_name else 'TYPE'}:{filters}"
        return " ".join(
            f"--ticker {value}" if key == "ticker" else f"--metadata {key}={value}" for key, value in pairs.items()
        )

    message = _PYTHON_METADATA.sub(as_options, message)
    message = re.sub(
        r"set api_key in the config or (the \w+ environment variable)", r"pass --api-key or set \1", message
    )
    return message.replace("request it with request_data instead", "fetch its history with `uw-nt download`")


def _show_progress(args: argparse.Namespace) -> bool:
    # A progress line redrawn with \r is noise in a log file or a pipe.
    return not args.quiet and sys.stderr.isatty()


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


def _port_is_free(host: str, port: int) -> bool:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return True
    with socket.socket(family, kind, proto) as probe:
        # The simulator binds with SO_REUSEADDR (tokio's default): a port in TIME_WAIT is free to it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def _sim_start_error(error: OSError, args: argparse.Namespace) -> str:
    if "in use" not in str(error):
        return str(error)
    ports = {"--ws-port": args.ws_port, "--http-port": args.http_port}
    # The core does not say which port failed: find out, or name both when it was freed meanwhile.
    busy = {option: port for option, port in ports.items() if port and not _port_is_free(args.host, port)}
    busy = busy or {option: port for option, port in ports.items() if port}
    numbers = " and ".join(str(port) for port in busy.values())
    options = " / ".join(busy)
    verb = "are" if len(busy) > 1 else "is"
    return (
        f"port{'s' if len(busy) > 1 else ''} {numbers} on {args.host} {verb} already in use (another `uw-nt sim`?): "
        f"choose another with {options} (0 = any free port)"
    )


def cmd_sim(args: argparse.Namespace) -> int:
    import time

    from nautilus_trader_uw.sim import UwSimServer

    if args.ws_port and args.ws_port == args.http_port:
        raise CliError(f"--ws-port and --http-port are both {args.ws_port}: the two need different ports")
    if args.replay:
        check_recording(args.replay)
    try:
        sim = UwSimServer(
            seed=args.seed,
            tickers=args.tickers.split(","),
            rate=args.rate,
            rates=dict(args.channel_rate),
            replay=args.replay,
            replay_speed=args.speed,
            replay_loop=args.loop,
            token=args.token,
            host=args.host,
            ws_port=args.ws_port,
            http_port=args.http_port,
        )
    except OSError as e:
        raise CliError(_sim_start_error(e, args)) from e
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


def cmd_download(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.history import download

    if args.start > args.end:
        raise CliError(f"--start {args.start} is after --end {args.end}")
    if args.full_tape:
        return _download_full_tape(args)
    metadata = _merged_metadata(args.metadata)
    if args.ticker:
        metadata["ticker"] = args.ticker
    type_name = args.type
    if args.operation:
        if type_name not in (None, "UwApiResponse"):
            raise CliError(f"--operation answers UwApiResponse, not {type_name}: drop --type")
        if _core.find_operation(args.operation) is None:
            raise CliError(f"unknown UW operation {args.operation!r}; `uw-nt operations` lists them")
        type_name = "UwApiResponse"
        metadata["operation"] = args.operation
    elif type_name is None:
        raise CliError("name what to download: --type TYPE, or --operation NAME (`uw-nt operations` lists them)")
    try:
        with removed_if_left_empty(args.catalog), _maybe_simulated(args):
            client = _core.UwRestClient(base_url=args.base_url_http, api_key=args.api_key)
            counts = download(
                client,
                type_name,
                metadata,
                args.start,
                args.end,
                args.catalog,
                show_progress=_show_progress(args),
                # The simulator's port changes per run; its history does not.
                base_url="built-in simulator" if args.sim else args.base_url_http,
                on_unreadable=_report_unreadable,
            )
    except (ValueError, _core.UwRequestError) as e:
        raise CliError(cli_wording(str(e), "download")) from e
    unreadable = f"; {counts['unreadable']} unreadable rows skipped" if counts["unreadable"] else ""
    print(
        f"{type_name}: {counts['records']} records from {counts['days']} days written to {args.catalog} "
        f"({counts['skipped']} days already there{unreadable})",
    )
    return 0


def _merged_metadata(pairs: list[tuple[str, str]]) -> dict[str, str]:
    # A key given again adds its value (an array parameter such as noti_types[] takes a comma
    # list); keeping only the last would drop the others without a word.
    merged: dict[str, str] = {}
    for key, value in pairs:
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged


def _report_unreadable(day, count: int, errors: list[str]) -> None:
    rows = "row" if count == 1 else "rows"
    print(f"warning: {day}: skipped {count} unreadable {rows} of UW's answers; the first: {errors[0]}", file=sys.stderr)


def cmd_operations(args: argparse.Namespace) -> int:
    lines = operation_lines(tag=args.tag, name=args.name)
    for line in lines:
        print(line)
    print(f"{len(lines)} operations", file=sys.stderr)
    return 0


def _download_full_tape(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.history import download_full_tape

    if args.type != "UwOptionTrade" or args.ticker or args.metadata:
        raise CliError("--full-tape downloads every UwOptionTrade of a day: use --type UwOptionTrade, no filters")
    try:
        with removed_if_left_empty(args.catalog), _maybe_simulated(args):
            client = _core.UwRestClient(base_url=args.base_url_http, api_key=args.api_key)
            counts = download_full_tape(
                client,
                args.start,
                args.end,
                args.catalog,
                batch_size=args.batch_size,
                show_progress=_show_progress(args),
                base_url="built-in simulator" if args.sim else args.base_url_http,
            )
    except (ValueError, _core.UwRequestError) as e:
        raise CliError(cli_wording(str(e), "download")) from e
    print(
        f"UwOptionTrade: {counts['records']} records of the full tape of {counts['days']} days written to "
        f"{args.catalog} in {counts['batches']} batches ({counts['skipped']} days already there)",
    )
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.history import record

    subs = args.subscribe or [("UwFlowAlert", {})]
    out = Path(args.out)
    try:
        # Deepest first: the directory is only removed once what the run made in it is.
        with removed_if_left_empty(out / "frames.jsonl", out / "catalog", out), _maybe_simulated(args):
            counts = record(
                subs,
                args.seconds,
                args.out,
                url=args.base_url_ws,
                api_key=args.api_key,
                show_progress=_show_progress(args),
            )
    except (ValueError, ConnectionError) as e:
        raise CliError(cli_wording(str(e), "record")) from e
    early = " (stopped early by Ctrl-C)" if counts.pop("interrupted") else ""
    frames, bad = counts.pop("frames"), counts.pop("parse_errors")
    print(f"recorded {frames} frames to {args.out}/frames.jsonl ({bad} bad){early}")
    for name, n in sorted(counts.items()):
        print(f"  {name:<22} {n:>8} -> {args.out}/catalog")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    if args.catalog:
        from nautilus_trader_uw.history import replay_to_catalog

        counts = replay_to_catalog(args.path, args.catalog)
        errors = {name: n for name, n in counts.items() if name.startswith("error:")}
        if errors and len(errors) == len(counts):
            raise CliError(f"{args.path}: no frame decodes as a UW frame ({', '.join(sorted(errors))})")
        for name, n in sorted(counts.items()):
            print(f"  {name:<22} {n:>8}")
        print(f"written to {args.catalog}")
        return 0
    # Before the node starts, so a bad file fails at once and names its line.
    check_recording(args.path)
    from nautilus_trader_uw.demo import run_replay_node

    return run_replay_node(Path(args.path), args.speed, args.seconds)


def _bar_metadata(args: argparse.Namespace) -> dict[str, str]:
    metadata = {"ticker": args.ticker, **dict(args.metadata)}
    if args.every is not None:
        metadata["every"] = str(args.every)
    else:
        metadata["interval"] = args.interval
    return metadata


def cmd_bars(args: argparse.Namespace) -> int:
    import csv

    from nautilus_trader_uw.bars import flow_bars_from_catalog
    from nautilus_trader_uw.bars import flow_bars_from_recording

    metadata = _bar_metadata(args)
    try:
        if args.recording:
            bars = flow_bars_from_recording(args.recording, metadata, venue=args.venue)
            source = args.recording
        else:
            bars = flow_bars_from_catalog(args.catalog, metadata, venue=args.venue)
            source = args.catalog
    except ValueError as e:  # UwFlowBarSpecError and RecordingError among them
        raise CliError(cli_wording(str(e), "bars")) from e
    if args.csv:
        rows = [bar.to_dict() for bar in bars]
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["ticker"])
            writer.writeheader()
            writer.writerows(rows)
    if args.out_catalog and bars:
        from nautilus_trader.persistence.catalog import ParquetDataCatalog

        ParquetDataCatalog(args.out_catalog).write_data(bars)
    spec = ", ".join(f"{k}={v}" for k, v in _core.flow_bar_spec(metadata).items())
    print(f"{len(bars)} UwFlowBar from {source} ({spec})")
    if bars:
        net = sum(b.net_premium for b in bars)
        prints = sum(b.prints for b in bars)
        late = sum(b.late_prints for b in bars)
        print(f"  {prints} prints counted ({late} late), net premium {net:,.0f}")
    for target in (args.csv, args.out_catalog):
        if target:
            print(f"written to {target}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from nautilus_trader_uw.doctor import print_report
    from nautilus_trader_uw.doctor import run_doctor

    with _maybe_simulated(args):
        checks = run_doctor(args.base_url_http, args.base_url_ws, args.api_key, args.days_back)
    return 0 if print_report(checks) else 1


# Argument types: argparse reports their errors as ``argument --x: <message>`` with the usage.


def _number(convert: Callable[[str], float], minimum: float, inclusive: bool = True) -> Callable[[str], float]:
    bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
    expected = f"expected {'an integer' if convert is int else 'a number'} {bound}"

    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: {expected}") from None
        if math.isnan(value) or value < minimum or (not inclusive and value == minimum):
            raise argparse.ArgumentTypeError(f"{text!r}: {expected}")
        return value

    return parse


_positive = _number(float, 0.0, inclusive=False)
_non_negative = _number(float, 0.0)
_non_negative_int = _number(int, 0)
_positive_int = _number(int, 1)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a port number 0-65535 (0 = any free port)")
    return port


def _day(text: str) -> date:
    from nautilus_trader_uw.history import parse_day

    try:
        return parse_day(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _type_name(text: str) -> str:
    if text in TYPE_NAMES:
        return text
    close = difflib.get_close_matches(text, TYPE_NAMES, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise argparse.ArgumentTypeError(f"unknown UW type {text!r}; {hint}one of: {', '.join(TYPE_NAMES)}")


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KEY=VALUE")
    return key, value


def _subscription(text: str) -> tuple[str, dict[str, str]]:
    type_name, _, rest = text.partition(":")
    try:
        filters = dict(_key_value(pair) for pair in rest.split(";") if pair)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected TYPE or TYPE:KEY=VALUE;KEY=VALUE") from None
    return _type_name(type_name), filters


def _channel_rate(text: str) -> tuple[str, float]:
    kind, sep, rate = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KIND=RATE, e.g. option_trades=1000")
    if kind not in _core.channel_names():
        raise argparse.ArgumentTypeError(f"unknown channel {kind!r}; one of: {', '.join(_core.channel_names())}")
    return kind, _non_negative(rate)


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.startswith(tuple(f"{scheme}://" for scheme in schemes)):
            forms = " or ".join(f"{scheme}://" for scheme in schemes)
            raise argparse.ArgumentTypeError(f"{text!r}: expected a URL starting with {forms}")
        return text

    return parse


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """
    Shows an option's default where it has one worth showing (not for flags or unset options).
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        default = action.default
        if default is None or default is False or default == [] or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _connection_args(p: argparse.ArgumentParser, http: bool = False, ws: bool = False) -> None:
    p.add_argument("--api-key", default=None, help=f"the UW API token (default: ${_core.UW_API_KEY_ENV})")
    if http:
        p.add_argument("--base-url-http", type=_url("http", "https"), default=_core.UW_HTTP_BASE_URL, help="REST API")
    if ws:
        p.add_argument("--base-url-ws", type=_url("ws", "wss"), default=_core.UW_WS_URL, help="WebSocket API")
    # Explicit, never implied by a missing key: simulated data must not land in a catalog unasked.
    # What the simulator stands in for: history for the REST commands, a live stream for `record`.
    serves = "deterministic history for past trading days" if http else "a live stream of generated frames"
    p.add_argument(
        "--sim",
        action="store_true",
        help=f"use the built-in UW simulator on loopback instead of UW (no key needed; {serves})",
    )


@contextlib.contextmanager
def _maybe_simulated(args: argparse.Namespace) -> Iterator[None]:
    """
    With ``--sim``: a simulator on free loopback ports for the command's duration, and the
    connection arguments pointed at it.
    """
    if not args.sim:
        yield
        return
    from nautilus_trader_uw.sim import UwSimServer

    with UwSimServer(rate=5.0) as sim:
        args.api_key = sim.token
        if hasattr(args, "base_url_http"):
            args.base_url_http = sim.http_url
        if hasattr(args, "base_url_ws"):
            args.base_url_ws = sim.ws_url
        yield


def _version() -> str:
    return f"nautilus_trader_uw {__version__}, nautilus_trader {nautilus_trader.__version__}"


def _scrubbed(message: str, api_key: str | None = None) -> str:
    """
    `message` without the API key given on the command line or in ``UW_API_KEY``.
    """
    # Real tokens are long; scrubbing a short test key would mangle ordinary words instead.
    for secret in (api_key, os.environ.get(_core.UW_API_KEY_ENV)):
        if secret and len(secret) >= 8:
            message = message.replace(secret, "***")
    return message


class _Parser(argparse.ArgumentParser):
    """
    A usage mistake ends as one line, like every other mistake: the usage is one ``--help`` away.
    """

    def error(self, message: str) -> NoReturn:
        unrecognized = "unrecognized arguments: "
        if message.startswith(unrecognized):
            # Only the options: a value among them may be a token under a mistyped option name
            # (`--apikey SECRET`).
            options = [a for a in message[len(unrecognized) :].split() if a.startswith("-")]
            message = unrecognized + (" ".join(options) or "(values not shown)")
        self.exit(2, f"{self.prog}: error: {_scrubbed(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="uw-nt",
        description="Unusual Whales adapter for NautilusTrader",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, **kwargs: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=summary, formatter_class=_HelpFormatter, **kwargs)

    types_list = f"UW Data types: {', '.join(TYPE_NAMES)}."

    demo = command("demo", "run a live node with the example 0DTE flow strategy")
    demo.add_argument("--seconds", type=_positive, default=20.0, help="how long the node runs")
    demo.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="WARNING",
        help="node log level (the strategy logs at INFO)",
    )
    demo.add_argument("--replay", action="store_true", help="replay the bundled recording in a backtest instead")
    demo.add_argument("--recording", help="JSONL recording to replay (implies --replay)")
    demo.set_defaults(func=cmd_demo)

    sim = command("sim", "run the UW simulator (WebSocket + REST) on loopback")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sim.add_argument("--ws-port", type=_port, default=8765, help="WebSocket port, 0 for any free one")
    sim.add_argument("--http-port", type=_port, default=8766, help="REST port, 0 for any free one")
    sim.add_argument("--token", default="sim-token", help="the token clients must present")
    sim.add_argument("--tickers", default="SPY,QQQ", help="tickers of the all-tickers channels")
    sim.add_argument("--rate", type=_non_negative, default=5.0, help="frames/s per joined channel")
    sim.add_argument(
        "--channel-rate",
        type=_channel_rate,
        action="append",
        default=[],
        metavar="KIND=RATE",
        help="frames/s of one channel, e.g. option_trades=1000 (repeatable)",
    )
    sim.add_argument("--seed", type=int, default=42, help="random seed of the generated data")
    sim.add_argument("--replay", help="replay this JSONL recording instead of generating")
    sim.add_argument("--speed", type=_positive, default=1.0, help="replay speed multiplier")
    sim.add_argument("--loop", action="store_true", help="restart the replay at its end")
    sim.add_argument("--seconds", type=_non_negative, default=0.0, help="stop after this long, 0 to run until Ctrl-C")
    sim.set_defaults(func=cmd_sim)

    dl = command("download", "download UW history into a ParquetDataCatalog (resumable)", epilog=types_list)
    dl.add_argument("--type", type=_type_name, metavar="TYPE", help="UW Data type (listed below)")
    dl.add_argument(
        "--operation",
        metavar="NAME",
        help="any UW operation (`uw-nt operations`), as UwApiResponse; its parameters as --metadata/--ticker",
    )
    dl.add_argument("--ticker", help="underlying, e.g. SPY")
    dl.add_argument("--start", type=_day, required=True, help="first New York date: YYYY-MM-DD, today or -N (days ago)")
    dl.add_argument("--end", type=_day, default="today", help="last New York date: YYYY-MM-DD, today or -N")
    dl.add_argument("--catalog", required=True, help="catalog directory")
    dl.add_argument(
        "--metadata",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="filters, e.g. min_premium=100000, or the parameters of --operation (repeatable; a key "
        "given again adds its value to an array parameter: noti_types[]=gex --metadata noti_types[]=flow)",
    )
    dl.add_argument(
        "--full-tape",
        action="store_true",
        help="UwOptionTrade only: every print of each day from UW's full tape, streamed in batches",
    )
    dl.add_argument(
        "--batch-size", type=_positive_int, default=100_000, help="records per catalog write with --full-tape"
    )
    dl.add_argument("--quiet", action="store_true", help="no progress bar (drawn only when stderr is a terminal)")
    _connection_args(dl, http=True)
    dl.set_defaults(func=cmd_download)

    ops = command("operations", "list every GET operation of UW's API: name, path, record type, required parameters")
    ops.add_argument("--tag", help="only UW's tag TAG (stock, market, ...)")
    ops.add_argument("--name", help="only names containing NAME")
    ops.set_defaults(func=cmd_operations)

    rec = command(
        "record",
        "tee the live stream to disk: raw frames and a catalog",
        epilog=f"{types_list} To backtest the demo strategy on a recording (examples/backtest_from_catalog.py), "
        "record the net flow it weighs alerts against too: "
        "--subscribe UwFlowAlert --subscribe UwNetFlow:ticker=SPY,QQQ.",
    )
    rec.add_argument(
        "--subscribe",
        type=_subscription,
        action="append",
        default=[],
        metavar="TYPE[:k=v;k=v]",
        help="a streamed UW Data type and its filters, e.g. UwFlowAlert:ticker=SPY (repeatable; default: UwFlowAlert)",
    )
    rec.add_argument("--seconds", type=_positive, default=60.0, help="how long to record; Ctrl-C ends it early")
    rec.add_argument("--out", required=True, help="output directory")
    rec.add_argument("--quiet", action="store_true", help="no progress line (drawn only when stderr is a terminal)")
    _connection_args(rec, ws=True)
    rec.set_defaults(func=cmd_record)

    rp = command(
        "replay",
        "play a JSONL recording into a catalog, or into a node at N x speed",
        epilog="Into a node, every channel the recording holds is joined (option_trades:SPY as "
        'UwOptionTrade with metadata {"ticker": "SPY"}, ...) and each is reported: frames and records recorded, '
        "records delivered.",
    )
    rp.add_argument("path", help="recording (frames.jsonl from `uw-nt record`, or UW's sample)")
    rp.add_argument("--catalog", help="write the decoded records to this catalog instead of running a node")
    rp.add_argument("--speed", type=_positive, default=1.0, help="replay speed multiplier for the node")
    rp.add_argument(
        "--seconds",
        type=_positive,
        default=None,
        help="the longest the node runs (default: until the recording has played); it stops once all is delivered",
    )
    rp.set_defaults(func=cmd_replay)

    bars = command(
        "bars",
        "compute flow bars (UwFlowBar) from a recording or a catalog of option prints",
        epilog="The same aggregator as the live feed: from a recording (`record_path`, `uw-nt record`) the bars "
        "equal what a live subscription delivered; from a catalog (`uw-nt download --type UwOptionTrade`) the "
        "prints are taken in event-time order (equal times by arrival, then trade id). Keys for --metadata: "
        "expiry, option_type, min_premium, moneyness, empty, grace_ms (docs/data-types.md#uwflowbar).",
    )
    source = bars.add_mutually_exclusive_group(required=True)
    source.add_argument("--recording", help="JSONL recording of the live feed")
    source.add_argument("--catalog", help="catalog directory holding UwOptionTrade prints")
    bars.add_argument("--ticker", required=True, help="underlying, e.g. SPY")
    length = bars.add_mutually_exclusive_group()
    length.add_argument("--interval", default="1s", help="bar length: 100ms to 1d, e.g. 1s, 5m")
    length.add_argument("--every", type=int, help="a bar every N counted prints instead")
    bars.add_argument(
        "--metadata",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bucket and bar keys, e.g. expiry=0dte (repeatable)",
    )
    bars.add_argument("--venue", default="SMART", help="venue of the bars' instrument ids")
    bars.add_argument("--csv", help="write every bar, every field, to this CSV file")
    bars.add_argument("--out-catalog", help="write the bars to this catalog")
    bars.set_defaults(func=cmd_bars)

    doc = command("doctor", "check a UW key: REST, WebSocket entitlement, history depth, quota")
    doc.add_argument("--days-back", type=_non_negative_int, default=60, help="trading days of history to probe")
    _connection_args(doc, http=True, ws=True)
    doc.set_defaults(func=cmd_doctor)

    parse = command("parse", "decode a recording of raw UW WebSocket frames")
    parse.add_argument(
        "path",
        nargs="?",
        default=str(sample_recording_path()),
        help="JSONL recording or raw frames, one per line (default: UW's bundled sample session)",
    )
    parse.add_argument("--print", action="store_true", help="print every decoded record")
    parse.add_argument("--strict", action="store_true", help="exit 1 if any frame fails to decode")
    parse.set_defaults(func=cmd_parse)
    return parser


def _report(command: str, message: str, args: argparse.Namespace) -> None:
    sys.stdout.flush()
    end_status_line()
    message = _scrubbed(message, getattr(args, "api_key", None))
    print(f"{command}: error: {' '.join(message.split())}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = f"{parser.prog} {args.command}"
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if debug:
            raise
        _report(command, "interrupted", args)
        return 130
    except CliError as e:
        if debug:
            raise
        _report(command, str(e), args)
        return 1
    except BrokenPipeError:
        # Whoever read stdout went away (`uw-nt parse --print | head`): there is no one to tell, and
        # the interpreter's last flush must not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        if debug:
            raise
        # A file the user named (a catalog or output directory that is a file, no permission, ...).
        named = f"{e.filename}: {e.strerror}" if e.filename and e.strerror else f"{type(e).__name__}: {e}"
        _report(command, named, args)
        return 1
    except Exception as e:
        if debug:
            raise
        _report(command, f"{type(e).__name__}: {e}", args)
        return 1


if __name__ == "__main__":
    sys.exit(main())
