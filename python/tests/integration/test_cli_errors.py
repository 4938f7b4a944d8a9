"""
``uw-nt`` never answers a user's mistake with a traceback: one line on stderr naming what is wrong
(argument errors too, pointing at ``--help``), a non-zero exit code, and never the API token.
"""

import re
import socket
import subprocess
import sys

import nautilus_trader
import pytest

import nautilus_trader_uw
from nautilus_trader_uw import cli
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.types import ALL_TYPES


pytestmark = pytest.mark.timeout(120)

BAD_TOKEN = "bad-token-0123456789abcdef"  # long enough that the CLI's own scrubbing applies too


def _uw_nt(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """
    The files, ports and simulator the error cases point at, by placeholder name.
    """
    tmp = tmp_path_factory.mktemp("cli-errors")
    not_json = tmp / "not-json.jsonl"
    not_json.write_text('{"received_at": "2025-05-16 13:19:51", "frame": "[]"}\nhello\n')
    no_frame = tmp / "no-frame.jsonl"
    no_frame.write_text('{"received_at": "2025-05-16 13:19:51"}\n')
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    # Bound for the whole module and never listening: a connect there is refused, and no other
    # test's listener can take the port meanwhile.
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))
    closed_port = refusing.getsockname()[1]
    with UwSimServer(rate=1.0) as sim:
        yield {
            "tmp": str(tmp),
            "missing": str(tmp / "missing.jsonl"),
            "not_json": str(not_json),
            "no_frame": str(no_frame),
            "busy_port": str(busy.getsockname()[1]),
            "closed_port": str(closed_port),
            "sim_ws": sim.ws_url,
            "sim_http": sim.http_url,
            "sim_token": sim.token,
        }
    busy.close()
    refusing.close()


DOWNLOAD = ("download", "--catalog", "{tmp}/catalog")
ALERTS = (*DOWNLOAD, "--type", "UwFlowAlert")
SIM_REST = ("--api-key", "{sim_token}", "--base-url-http", "{sim_http}")
RECORD = ("record", "--seconds", "3", "--out", "{tmp}/rec")
DATE_FORMS = "expected YYYY-MM-DD, today or -N"


def case(name: str, argv: tuple[str, ...], expected: str):
    """
    One error case: ``argv`` and a text its error line contains, both with ``{placeholders}`` from
    the ``places`` fixture.
    """
    return pytest.param(argv, expected, id=name)


CASES = [
    case("parse a missing file", ("parse", "{missing}"), "{missing}: no such file"),
    case("replay a missing file", ("replay", "{missing}"), "{missing}: no such file"),
    case("replay a missing file to a catalog", ("replay", "{missing}", "--catalog", "{tmp}/r"), "{missing}: no such"),
    case("parse a file that is not JSON", ("parse", "{not_json}"), "{not_json}:2: not JSON"),
    case("replay non-JSON to a catalog", ("replay", "{not_json}", "--catalog", "{tmp}/r"), "{not_json}:2: not JSON"),
    case("replay JSON without frames", ("replay", "{no_frame}"), '{no_frame}:1: no "frame" string'),
    case("a word for a date", (*ALERTS, "--start", "yesterday"), f"--start: 'yesterday': {DATE_FORMS}"),
    case("an impossible date", (*ALERTS, "--start", "2025-02-30"), "--start: '2025-02-30' is not a date"),
    case("a bad end date", (*ALERTS, "--start", "-3", "--end=3-days"), f"--end: '3-days': {DATE_FORMS}"),
    case("start after end", (*ALERTS, "--start", "2025-05-16", "--end", "2025-05-12"), "2025-05-16 is after --end"),
    case("an unknown --type", (*DOWNLOAD, "--type", "UwFlowAlerts", "--start", "-1"), "did you mean UwFlowAlert?"),
    case("a filter that is not KEY=VALUE", (*ALERTS, "--start", "-1", "--metadata", "SPY"), "'SPY': expected KEY="),
    # The REST client's errors come with the first request: "-7" spans weekdays whatever today is.
    case(
        "download without a needed ticker",
        (*DOWNLOAD, "--type", "UwNetPremTick", "--start", "-7", *SIM_REST),
        "UwNetPremTick history needs a ticker (--ticker SPY)",
    ),
    case(
        "download a type with no history",
        (*DOWNLOAD, "--type", "UwFeedStatus", "--start", "-7", *SIM_REST),
        "pass --metadata path=/api/... to",
    ),
    case(
        "download with a refused token",
        (*ALERTS, "--start", "-7", "--api-key", BAD_TOKEN, "--base-url-http", "{sim_http}"),
        "HTTP 401",
    ),
    case(
        "sim on a busy port",
        ("sim", "--ws-port", "{busy_port}", "--http-port", "0", "--seconds", "1"),
        "port {busy_port} on 127.0.0.1 is already in use (another `uw-nt sim`?): choose another with --ws-port",
    ),
    case("sim on a port out of range", ("sim", "--ws-port", "70000"), "--ws-port: '70000': expected a port number"),
    case(
        "record with a refused token",
        (*RECORD, "--api-key", BAD_TOKEN, "--base-url-ws", "{sim_ws}"),
        "UW refused the token (HTTP 401",
    ),
    case(
        "record with nothing listening",
        (*RECORD, "--api-key", BAD_TOKEN, "--base-url-ws", "ws://127.0.0.1:{closed_port}/socket"),
        "could not connect to ws://127.0.0.1:{closed_port}/socket",
    ),
    case(
        "record a type needing a ticker",
        (*RECORD, "--subscribe", "UwNetFlow", "--api-key", "{sim_token}", "--base-url-ws", "{sim_ws}"),
        "(--subscribe UwNetFlow:ticker=SPY)",
    ),
    case("record an unknown type", (*RECORD, "--subscribe", "UwFlow"), "unknown UW type 'UwFlow'"),
    case("record for no time", (*RECORD, "--seconds", "0"), "--seconds: '0': expected a number > 0"),
    case(
        "a key under a mistyped option",
        (*RECORD, "--apikey", BAD_TOKEN),
        "unrecognized arguments: --apikey (see uw-nt --help)",
    ),
    case("record with a REST option", (*RECORD, "--base-url-http", "{sim_http}"), "unrecognized arguments"),
    case(
        "bars with a bad interval",
        ("bars", "--recording", "{not_json}", "--ticker", "SPY", "--interval", "7x"),
        'UwFlowBar: metadata interval="7x" is invalid: expected a duration from 100ms to 1d',
    ),
    case("bars from no recording", ("bars", "--recording", "{missing}", "--ticker", "SPY"), "{missing}: no such"),
    case("bars from no catalog", ("bars", "--catalog", "{missing}", "--ticker", "SPY"), "no such catalog directory"),
    case("bars without a source", ("bars", "--ticker", "SPY"), "one of the arguments --recording --catalog is"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES)
def test_a_user_error_is_one_line_and_a_non_zero_exit(places, argv, expected):
    args = [arg.format(**places) for arg in argv]
    result = _uw_nt(*args)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    error = lines[0]
    command = "uw-nt" if "unrecognized" in expected else f"uw-nt {args[0]}"
    assert error.startswith(f"{command}: error: "), lines
    assert expected.format(**places) in error
    assert BAD_TOKEN not in result.stderr + result.stdout


def test_version_names_the_adapter_and_nautilus_trader():
    result = _uw_nt("--version")
    assert result.returncode == 0, result.stderr
    assert f"nautilus_trader_uw {nautilus_trader_uw.__version__}" in result.stdout
    assert f"nautilus_trader {nautilus_trader.__version__}" in result.stdout


def test_help_shows_defaults_types_and_only_the_options_that_apply(capsys):
    with pytest.raises(SystemExit):
        cli.main(["download", "--help"])
    download = " ".join(capsys.readouterr().out.split())  # undo argparse's wrapping
    assert "(default: today)" in download
    assert all(t.__name__ in download for t in ALL_TYPES)
    assert "--base-url-http" in download and "--base-url-ws" not in download
    with pytest.raises(SystemExit):
        cli.main(["record", "--help"])
    record = " ".join(capsys.readouterr().out.split())
    assert "(default: 60.0)" in record
    assert "--base-url-ws" in record and "--base-url-http" not in record


def test_an_unexpected_failure_is_one_line_without_the_token(monkeypatch, capsys):
    secret = "real-looking-token-0123456789"
    monkeypatch.setenv("UW_API_KEY", secret)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)

    def broken(args):
        raise RuntimeError(f"something broke\nwhile using {secret}")

    monkeypatch.setattr(cli, "cmd_parse", broken)
    assert cli.main(["parse"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "uw-nt parse: error: RuntimeError: something broke while using ***\n"

    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError, match="something broke"):
        cli.main(["parse"])


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_an_error_is_not_glued_to_the_progress_bar(places):
    from .terminal import run_on_terminal

    # The bar is drawn only on a terminal: give the command one.
    argv = ("download", "--type", "UwNetPremTick", "--start", "-7", "--catalog", "{tmp}/tty", *SIM_REST)
    command = [sys.executable, "-m", "nautilus_trader_uw.cli", *(arg.format(**places) for arg in argv)]
    returncode, output, _ = run_on_terminal(command, True, timeout=60)
    assert returncode == 1
    text = output.decode()
    assert re.search(r"UwNetPremTick\b.*\b0/\d+", text), "a bar was drawn"
    assert re.search(r"(^|\n)uw-nt download: error: .*\(--ticker SPY\)", text), repr(text)


def test_parse_counts_the_malformed_frames_of_a_raw_frames_file(tmp_path):
    # One raw frame per line, as docs/integration.md describes `uw-nt parse`'s input: a frame that
    # does not parse is counted by kind, as off the socket, and the rest are decoded.
    frames = tmp_path / "frames.txt"
    frames.write_text(
        '["flow-alerts", {"response": {}, "status": "ok"}]\n'
        '["option_trades:SPY", {"id": "x"\n'
        '{"not": "a frame"}\n'
        '["no_such_channel", {}]\n',
    )
    done = subprocess.run(
        [sys.executable, "-m", "nautilus_trader_uw.cli", "parse", str(frames)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    counts = dict(line.strip().split(": ") for line in done.stdout.splitlines() if ": " in line)
    assert counts.pop("ack") == "1"
    assert sum(int(n) for k, n in counts.items() if k.startswith("error:")) == 3, done.stdout
