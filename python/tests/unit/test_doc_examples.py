"""
The documentation is executable: every ``python`` example of README.md and docs/integration.md runs,
every ``uw-nt`` command they show parses, and the reference tables of docs/integration.md say what
the code does (configuration fields, defaults and ranges; the metadata, channels and requests of
every Data type).

Examples run in this process, each in a fresh namespace, in a temporary directory and without
``UW_API_KEY``; they fail the test by raising (their ``assert``s included). An HTML comment on the
line before a fence steers a block:

- ``<!-- doctest: skip REASON -->``: not run; every skip is pinned in ``EXPECTED_SKIPS``.
- ``<!-- doctest: run-strategy NAME -->``: after the block has run, its ``Strategy`` subclass
  ``NAME`` runs in a node on the simulator, and must receive data of the types it subscribed to
  without raising in ``on_data``.
"""

import ast
import asyncio
import contextlib
import io
import re
import shlex
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

import msgspec
import pytest
from nautilus_trader.common.config import InstrumentProviderConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import RoutingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode

from nautilus_trader_uw import ALL_TYPES
from nautilus_trader_uw import UW
from nautilus_trader_uw import UnusualWhalesDataClientConfig
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw import _core
from nautilus_trader_uw.cli import build_parser
from nautilus_trader_uw.config import _LIVE_SETTINGS
from nautilus_trader_uw.config import _REST_SETTINGS
from nautilus_trader_uw.doctor import print_report
from nautilus_trader_uw.doctor import run_doctor
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


ROOT = Path(__file__).resolve().parents[3]
README = "README.md"
GUIDE = "docs/integration.md"
DOCS = (README, GUIDE)

# (document, first line of the block) of every example that is shown but not run, and why.
EXPECTED_SKIPS: dict[tuple[str, str], str] = {}

DIRECTIVES = ("skip", "run-strategy")
SHELLS = ("bash", "sh", "shell", "console")


# -- Reading the documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """
    One fenced code block.
    """

    doc: str
    line: int  # of the first code line, 1-based
    lang: str
    code: str
    directive: str = ""
    argument: str = ""

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}"


_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*doctest:\s*(\S+)\s*(.*?)\s*-->$")


def read_blocks(doc: str) -> list[Block]:
    lines = (ROOT / doc).read_text().splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        assert end is not None, f"{doc}:{i + 1}: the fence is never closed"
        directive = _DIRECTIVE.match(lines[i - 1].strip()) if i else None
        blocks.append(
            Block(
                doc=doc,
                line=i + 2,
                lang=opening.group(1),
                code="\n".join(lines[i + 1 : end]) + "\n",
                directive=directive.group(1) if directive else "",
                argument=directive.group(2) if directive else "",
            ),
        )
        i = end + 1
    return blocks


def prose(doc: str) -> str:
    """
    The document without its fenced blocks.
    """
    return re.sub(r"^```.*?^```\s*$", "", (ROOT / doc).read_text(), flags=re.M | re.S)


def section(doc: str, wanted: str) -> str:
    """
    The text under the heading ``wanted`` (any level) up to the next heading of its level or higher.
    """
    lines = (ROOT / doc).read_text().splitlines(keepends=True)
    in_fence, start, level = False, None, 0
    for i, line in enumerate(lines):
        if line.startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else re.match(r"^(#+) (.+)$", line.rstrip("\n"))
        if heading is None:
            continue
        if start is not None and len(heading.group(1)) <= level:
            return "".join(lines[start:i])
        if start is None and heading.group(2).strip() == wanted:
            start, level = i + 1, len(heading.group(1))
    assert start is not None, f"{doc}: no heading {wanted!r}"
    return "".join(lines[start:])


def _cells(row: str) -> list[str]:
    # Split on the pipes outside code spans.
    cells, cell, in_code = [], "", False
    for ch in row.strip().strip("|"):
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
    cells.append(cell.strip())
    return cells


def table(text: str, first_header: str) -> list[dict[str, str]]:
    """
    The rows of the Markdown table in ``text`` whose first header cell is ``first_header``.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and _cells(line)[0] == first_header:
            headers = _cells(line)
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                cells = _cells(row)
                assert len(cells) == len(headers), f"row with {len(cells)} cells under {headers}: {row}"
                rows.append(dict(zip(headers, cells, strict=True)))
            return rows
    raise AssertionError(f"no table starting with the header {first_header!r}")


def spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def bold_spans(cell: str) -> set[str]:
    return set(re.findall(r"\*\*`([^`]+)`\*\*", cell))


def type_name(cell: str) -> str:
    (name,) = spans(cell)
    return name


ALL_BLOCKS = [block for doc in DOCS for block in read_blocks(doc)]
PYTHON_BLOCKS = [block for block in ALL_BLOCKS if block.lang == "python"]
RUN_BLOCKS = [block for block in PYTHON_BLOCKS if block.directive != "skip"]


# -- Python examples --------------------------------------------------------------------------------


def test_directives_are_known_and_sit_on_a_fence():
    for doc in DOCS:
        lines = (ROOT / doc).read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if "doctest:" not in line:
                continue
            directive = _DIRECTIVE.match(line.strip())
            assert directive and directive.group(1) in DIRECTIVES, f"{doc}:{number}: unknown directive {line!r}"
            following = lines[number] if number < len(lines) else ""
            assert following.startswith("```python"), f"{doc}:{number}: a directive must precede a python fence"
            if directive.group(1) == "skip":
                assert directive.group(2), f"{doc}:{number}: a skip needs a reason"


def test_skipped_examples_are_exactly_the_expected_ones():
    skipped = {(b.doc, b.code.splitlines()[0]): b.argument for b in PYTHON_BLOCKS if b.directive == "skip"}
    assert skipped == EXPECTED_SKIPS


def test_the_documents_have_their_examples():
    # A parser that finds nothing would make every other test here pass vacuously.
    assert sum(b.doc == README for b in RUN_BLOCKS) >= 2
    assert sum(b.doc == GUIDE for b in RUN_BLOCKS) >= 8
    assert any(b.directive == "run-strategy" for b in RUN_BLOCKS)


@pytest.fixture
def example_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(_core.UW_API_KEY_ENV, raising=False)
    return tmp_path


@pytest.mark.timeout(120)
@pytest.mark.parametrize("block", RUN_BLOCKS, ids=str)
def test_python_example_runs(block, example_env):
    namespace = {"__name__": "__doc_example__"}
    # Padded so that a traceback names the document's own line numbers.
    code = compile("\n" * (block.line - 1) + block.code, block.doc, "exec")
    exec(code, namespace)
    if block.directive == "run-strategy":
        assert block.argument in namespace, f"{block}: no {block.argument} defined"
        run_strategy_on_simulator(namespace[block.argument])


def run_strategy_on_simulator(strategy_class: type, seconds: float = 3.0) -> None:
    """
    Run ``strategy_class`` in a node whose UW client streams from the simulator.
    """
    subscribed: list[type] = []
    received: list = []
    errors: list[BaseException] = []

    class Probe(strategy_class):
        def subscribe_data(self, data_type, *args, **kwargs):
            subscribed.append(data_type.type)
            return super().subscribe_data(data_type, *args, **kwargs)

        def on_data(self, data):
            received.append(data)
            try:
                super().on_data(data)
            except Exception as e:  # the node would log it and go on
                errors.append(e)

    with UwSimServer(rate=20.0, tickers=["SPY", "QQQ"]) as sim:
        config = TradingNodeConfig(
            logging=LoggingConfig(log_level="ERROR"),
            data_clients={UW: sim_client_config(sim)},
            timeout_disconnection=2.0,
            timeout_post_stop=0.5,
        )
        node = TradingNode(config=config, loop=asyncio.new_event_loop())
        node.trader.add_strategy(Probe())
        node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
        node.build()
        node.get_event_loop().call_later(seconds, node.stop)
        try:
            node.run()
        finally:
            node.dispose()
    assert subscribed, f"{strategy_class.__name__} subscribed to nothing"
    assert received, f"{strategy_class.__name__} received nothing from the simulator in {seconds}s"
    assert all(isinstance(d, tuple(subscribed)) for d in received)
    assert not errors, errors


# -- Commands -----------------------------------------------------------------------------------------

_OPERATORS = {"|", "||", "&", "&&", ";", ">", ">>", "<"}


def shell_commands(doc: str) -> list[tuple[str, list[str]]]:
    """
    ``(where, argv)`` of every ``uw-nt`` command line in the document's shell blocks.
    """
    commands = []
    for block in read_blocks(doc):
        if block.lang not in SHELLS:
            continue
        for offset, line in enumerate(block.code.replace("\\\n", " ").splitlines()):
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
            while tokens and re.fullmatch(r"[A-Za-z_]\w*=.*", tokens[0]):
                tokens.pop(0)  # environment assignments
            if not tokens or Path(tokens[0]).name != "uw-nt":
                continue
            argv = []
            for token in tokens[1:]:
                if token in _OPERATORS:
                    break
                argv.append(token)
            commands.append((f"{doc}:{block.line + offset}", argv))
    return commands


def subcommands(parser) -> dict:
    (action,) = (a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


def test_every_shell_command_shown_parses():
    parser = build_parser()
    commands = [c for doc in DOCS for c in shell_commands(doc)]
    assert len(commands) >= 15
    for where, argv in commands:
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                parser.parse_args(argv)
        except SystemExit as e:
            assert e.code == 0, f"{where}: uw-nt {shlex.join(argv)}: {err.getvalue()}"


def test_every_command_has_an_example_in_the_guide():
    shown = {argv[0] for _, argv in shell_commands(GUIDE) if argv and not argv[0].startswith("-")}
    assert shown == set(subcommands(build_parser()))


def test_commands_named_in_the_text_exist_with_their_options():
    parser = build_parser()
    commands = subcommands(parser)
    checked = 0
    for doc in DOCS:
        for mention in re.findall(r"`(uw-nt(?: [^`]*)?)`", prose(doc)):
            words = [w.strip("[]") for w in mention.split()[1:]]
            if words and words[0].startswith("<"):
                continue  # a placeholder: `uw-nt <command>: error: ...`
            if words and words[0].endswith(":"):
                # A quoted error message, `uw-nt sim: error: ...`: the command must exist.
                assert words[0][:-1] in commands, f"{doc}: `{mention}` names no uw-nt command"
                checked += 1
                continue
            if words and not words[0].startswith("-"):
                for name in words[0].split("|"):
                    assert name in commands, f"{doc}: `{mention}` names no uw-nt command"
                target = commands[words[0].split("|")[0]]
            else:
                target = parser
            for word in words:
                if word.startswith("--"):
                    option = word.split("=")[0]
                    assert option in target._option_string_actions, f"{doc}: `{mention}`: no option {option}"
            checked += 1
    assert checked >= 10


# -- Links --------------------------------------------------------------------------------------------


def _anchor(heading: str) -> str:
    # GitHub's slugs: lower case, punctuation dropped, spaces to hyphens.
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_resolve():
    for doc in DOCS:
        text = prose(doc)
        headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            if path:
                assert (ROOT / doc).parent.joinpath(path).resolve().exists(), f"{doc}: broken link {target}"
            elif anchor:
                assert anchor in headings, f"{doc}: no heading for #{anchor}"


def test_the_readme_points_to_the_guide():
    top = (ROOT / README).read_text().split("## Compatibility")[0]
    assert "(docs/integration.md)" in top
    assert "(docs/integration.md)" in section(README, "In your node")


# -- Configuration table ----------------------------------------------------------------------------


def _format_bound(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def documented_range(field: str) -> str:
    low, low_exclusive, high = _core.setting_ranges()[_REST_SETTINGS.get(field, field)]
    return f"{'(' if low_exclusive else '['}{_format_bound(low)}, {_format_bound(high)}]"


def test_the_configuration_table_lists_every_field_with_its_default_and_range():
    rows = table(section(GUIDE, "Configuration"), "field")
    documented = [type_name(row["field"]) for row in rows]
    fields = {f.name: f.default for f in msgspec.structs.fields(UnusualWhalesDataClientConfig)}
    assert len(documented) == len(set(documented)), "a field is listed twice"
    assert set(documented) == set(fields), "the table and UnusualWhalesDataClientConfig list different fields"
    objects = {"InstrumentProviderConfig": InstrumentProviderConfig, "RoutingConfig": RoutingConfig}
    numeric = {*_LIVE_SETTINGS, *_REST_SETTINGS}
    for row in rows:
        name = type_name(row["field"])
        (default,) = spans(row["default"])
        try:
            value = ast.literal_eval(default)
        except ValueError:
            value = eval(default, {"__builtins__": {}}, objects)
        assert value == fields[name] and type(value) is type(fields[name]), f"{name}: documented default {default}"
        if name in numeric:
            assert documented_range(name) in row["accepted values"], f"{name}: range is {documented_range(name)}"
        assert row["meaning"], f"{name}: no meaning"
    assert numeric <= set(documented)


# -- Metadata keys, live subscriptions, history requests ---------------------------------------------

FILTER_KEYS = ("ticker", "min_premium", "min_size", "option_type", "expiry", "instrument_id")
REQUEST_KEYS = ("date", "candle_size", "timeframe", "source", "expirations", "delta", "order", "flow_group", "path")
SAMPLES = {
    "ticker": "SPY",
    "min_premium": "100000",
    "min_size": "10",
    "option_type": "call",
    "expiry": "2025-05-16",
    "instrument_id": "SPY.SMART",
    "date": "2025-05-14",
    "candle_size": "5m",
    "timeframe": "ytd",
    "source": "oi",
    "expirations": "2025-05-16,2025-05-23",
    "delta": "25",
    "order": "asc",
    "flow_group": "semi",
    "path": "/api/stock/SPY/max-pain",
}
# What a type's requests cannot do without besides a ticker: the value the table is shown for.
NAMED_BY = {
    "UwContractBar": [("instrument_id", "SPY250516C00590000.SMART")],
}
TOKEN = "doc-probe-token-0123456789"  # long: the core scrubs the token from its messages


# The keys of `UwApiResponse` history: which operation, and how many of its pages.
OPERATION_KEYS = ("operation", "max_pages")


def test_the_metadata_key_table_names_every_key():
    rows = table(section(GUIDE, "Data types"), "key")
    assert [type_name(row["key"]) for row in rows] == [*FILTER_KEYS, *REQUEST_KEYS, *OPERATION_KEYS]


def test_the_documented_option_type_forms_are_accepted(live_feed):
    (row,) = [r for r in table(section(GUIDE, "Data types"), "key") if type_name(r["key"]) == "option_type"]
    for form in spans(row["accepted forms"]):
        for value in (form, form.upper()):
            sub_id, _ = live_feed.subscribe("UwFlowAlert", [("option_type", value)])
            live_feed.unsubscribe(sub_id)


@pytest.fixture(scope="module")
def live_feed():
    # Subscriptions are checked and routed without a connection; nothing listens on port 9.
    loop = asyncio.new_event_loop()
    feed = _core.UwLiveFeed(url="ws://127.0.0.1:9/socket", api_key=TOKEN, reconnect_initial_secs=60.0)
    feed.start(loop, lambda *args: None)
    yield feed
    feed.close()
    loop.close()


def _subscribe(feed, name: str, metadata: list[tuple[str, str]]) -> list[str] | str:
    """
    The channels a subscription joins, or why it was refused.
    """
    try:
        sub_id, channels = feed.subscribe(name, metadata)
    except ValueError as e:
        return str(e)
    feed.unsubscribe(sub_id)
    return channels


def _refused(result, reason: str) -> bool:
    return isinstance(result, str) and reason in result


def _check_flow_bar_row(live_feed, channel_cell: str, keys_cell: str) -> None:
    # Its metadata is a bar spec, not a filter: the keys are the spec's, the ticker is required.
    assert "ticker" in _subscribe(live_feed, "UwFlowBar", [("interval", "1s")])
    assert set(spans(channel_cell)) == set(_subscribe(live_feed, "UwFlowBar", [("ticker", "SPY"), ("interval", "1s")]))
    spec_keys = set(_core.flow_bar_spec({"ticker": "SPY", "interval": "1s"})) | {"every"}
    assert set(spans(keys_cell)) == spec_keys
    assert bold_spans(keys_cell) == {"ticker"}
    assert "required" in channel_cell


def test_the_live_subscription_table_matches_the_router(live_feed):
    rows = table(section(GUIDE, "Live subscriptions"), "type")
    names = [type_name(row["type"]) for row in rows]
    assert sorted(names) == sorted(t.__name__ for t in ALL_TYPES)
    for row in rows:
        name, channel_cell, keys_cell = type_name(row["type"]), row["UW channel"], row["metadata keys"]
        if name == "UwFlowBar":
            _check_flow_bar_row(live_feed, channel_cell, keys_cell)
            continue
        bare = _subscribe(live_feed, name, [])
        if _refused(bare, "not streamed"):
            assert "not streamed" in channel_cell, f"{name} is REST only"
            continue
        assert "not streamed" not in channel_cell, f"{name} is streamed"
        with_ticker = _subscribe(live_feed, name, [("ticker", "SPY")])
        ticker_ok = not _refused(with_ticker, "cannot be filtered")
        base = [("ticker", "SPY")] if ticker_ok else []
        keys = {"ticker"} if ticker_ok else set()
        for key in [*FILTER_KEYS[1:], *REQUEST_KEYS]:
            if not _refused(_subscribe(live_feed, name, [*base, (key, SAMPLES[key])]), "cannot be filtered"):
                keys.add(key)
        assert set(spans(keys_cell)) == keys, f"{name}: subscriptions accept {sorted(keys)}"
        required = _refused(bare, "needs a ticker")
        assert bold_spans(keys_cell) == ({"ticker"} if required else set()), f"{name}: required keys"
        assert ("required" in channel_cell) == required, f"{name}: a ticker is {'' if required else 'not '}required"
        channels = set(with_ticker if ticker_ok else []) | set([] if required else bare)
        assert set(spans(channel_cell)) == channels, f"{name} joins {sorted(channels)}"


class _CapturingHandler(BaseHTTPRequestHandler):
    """
    Answers every GET with an empty UW page and keeps the request targets.
    """

    paths: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        body = b'{"data":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def history():
    """
    ``history(type_name, metadata)``: the request targets UW would see for 2025-05-16 to 2025-05-19,
    or why the request was refused.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CapturingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = _core.UwRestClient(
        base_url=f"http://127.0.0.1:{server.server_port}",
        api_key=TOKEN,
        max_retries=0,
        requests_per_minute=1_000_000,  # hundreds of probes, and no UW to protect
    )
    start = 1_747_353_600_000_000_000  # 2025-05-16T00:00Z, a Friday

    def run(name: str, metadata: list[tuple[str, str]]) -> list[str] | str:
        _CapturingHandler.paths = []
        try:
            client.history(name, metadata, start, start + 3 * 86_400 * 10**9)
        except ValueError as e:
            return str(e)
        return list(_CapturingHandler.paths)

    yield run
    server.shutdown()
    thread.join()


def endpoint(target: str, given: set[str] = frozenset()) -> str:
    """
    A request target without the parameters paging adds (time cursor, page number, day) and those
    the metadata ``given`` fills (UW's required parameters, shown as keys).
    """
    path, _, query = target.partition("?")
    params = [p.split("=", 1) for p in query.split("&")] if query else []
    paged = any(k in ("older_than", "page") for k, _ in params)
    dropped = {"older_than", "newer_than", "page", "date"} | {k for k, _ in params if unquote(k).rstrip("[]") in given}
    kept = [f"{k}={v}" for k, v in params if k not in dropped]
    kept = [p for p in kept if not (paged and p.startswith("limit="))]
    return path + ("?" + "&".join(kept) if kept else "")


def plan_kind(targets: list[str]) -> str:
    if "older_than=" in targets[0]:
        return "older_than"
    if "page=" in targets[0]:
        return "pages"
    return "per trading day" if len(targets) > 1 else "one"


def test_the_history_table_matches_the_request_plans(history):
    rows = table(section(GUIDE, "History requests"), "type")
    names = [type_name(row["type"]) for row in rows]
    assert sorted(names) == sorted(t.__name__ for t in ALL_TYPES)
    for row in rows:
        name, endpoint_cell, keys_cell = type_name(row["type"]), row["UW endpoint"], row["metadata keys"]
        if name == "UwApiResponse":
            check_any_operation_row(history, row)
            continue
        named = NAMED_BY.get(name, [])
        bare = history(name, named)
        with_ticker = history(name, [*named, ("ticker", "SPY")])
        ticker_ok = not _refused(with_ticker, "cannot be filtered")
        base = [*named, ("ticker", "SPY")] if ticker_ok else [*named]
        # The parameters UW requires, each refused by name until given.
        needed = set()
        while isinstance(refusal := history(name, base), str) and (asked := re.search(r"needs (\w+) \(", refusal)):
            needed.add(asked[1])
            base.append((asked[1], SAMPLES[asked[1]]))
        plain = history(name, base) if ticker_ok or needed else bare
        if ticker_ok and not needed:
            assert plain == with_ticker
        keys = ({"ticker", "path"} if ticker_ok else {"path"}) | needed
        for key in FILTER_KEYS[1:]:
            if not _refused(history(name, [*base, (key, SAMPLES[key])]), "cannot be filtered"):
                keys.add(key)
        if _refused(plain, "no REST history"):
            assert endpoint_cell.startswith("none") and row["requests"] == "-", f"{name} has no request plan"
        else:
            assert not isinstance(plain, str), f"{name}: {plain}"
            # Request keys count where they change what is requested.
            keys |= {key for key in REQUEST_KEYS[:-1] if history(name, [*base, (key, SAMPLES[key])]) != plain}
            endpoints = {endpoint(plain[0], needed)}
            if ticker_ok and not isinstance(bare, str):
                endpoints.add(endpoint(bare[0]))
            documented = {s for s in spans(endpoint_cell) if s.startswith("/api/")}
            assert documented == endpoints, f"{name} requests {sorted(endpoints)}"
            kind, first = plan_kind(plain), row["requests"].split(";")[0]
            assert first == kind if kind == "one" else kind in first, f"{name}: {kind} ({plain})"
            if ticker_ok:
                several = not isinstance(history(name, [*named, ("ticker", "SPY,QQQ")]), str)
                assert ("several" in keys_cell) == several, f"{name}: several tickers allowed: {several}"
                assert ("(one)" in keys_cell) == (not several), f"{name}: one ticker per request"
        keys |= {key for key, _ in named}
        assert set(spans(keys_cell)) == keys, f"{name}: requests accept {sorted(keys)}"
        required = _refused(bare, "needs a ticker")
        named_keys = {key for key, _ in named}
        assert bold_spans(keys_cell) == ({"ticker"} if required else set()) | needed | named_keys, (
            f"{name}: required keys"
        )
        if named:
            assert _refused(history(name, []), "history is per"), f"{name} needs {named}"


def check_any_operation_row(history, row: dict) -> None:
    """
    ``UwApiResponse`` requests whichever operation its metadata names, with that operation's
    parameters and pagination.
    """
    assert "needs the operation" in history("UwApiResponse", [])
    assert history("UwApiResponse", [("operation", "market_sector_etfs")]) == ["/api/market/sector-etfs"]
    by_path = history("UwApiResponse", [("path", "/api/stock/SPY/volatility/realized?date=2025-05-16")])
    assert by_path == ["/api/stock/SPY/volatility/realized?date=2025-05-16"]
    # A `date` operation over the range: one request per trading day (Thursday and Friday, New York).
    days = history("UwApiResponse", [("operation", "stock_ticker_oi_per_strike"), ("ticker", "SPY")])
    assert [endpoint(t) for t in days] == ["/api/stock/SPY/oi-per-strike"] * 2, days
    assert set(spans(row["metadata keys"])) == {"operation", "max_pages", "path"}
    assert bold_spans(row["metadata keys"]) == {"operation"}
    assert "own pagination" in row["requests"]


# -- Troubleshooting: what `uw-nt doctor` prints -----------------------------------------------------


def _shape(text: str) -> list[str]:
    return [re.sub(r"\d+", "N", line.rstrip()) for line in text.strip().splitlines()]


@pytest.mark.timeout(60)
def test_the_doctor_reports_shown_are_what_doctor_prints():
    good, refused = re.findall(r"^```text\n(.*?)^```$", section(GUIDE, "Troubleshooting"), flags=re.M | re.S)
    with UwSimServer() as sim:
        for api_key, expected in ((sim.token, good), ("wrong-token-0123456789", refused)):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                print_report(run_doctor(sim.http_url, sim.ws_url, api_key, 5))
            assert _shape(out.getvalue()) == _shape(expected)
