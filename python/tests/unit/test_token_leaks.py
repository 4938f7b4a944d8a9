"""
The token never reaches a user: not through REST errors that echo it, client reprs or ``doctor``;
and a hostile frame cannot make an error text (or its logging) huge.
"""

import time
import traceback

import pytest

from nautilus_trader_uw import UwApiKey
from nautilus_trader_uw import UwParseError
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw import _core
from nautilus_trader_uw import parse_ws_frame
from nautilus_trader_uw.doctor import print_report
from nautilus_trader_uw.doctor import run_doctor
from nautilus_trader_uw.sim import UwSimServer


pytestmark = pytest.mark.timeout(60)

TOKEN = "uw-leak-token-0123456789"
WRONG = "uw-wrong-token-9876543210"
PATH = "/api/stock/SPY/gex-levels"


def everything_shown(err: BaseException) -> str:
    """
    Every text of an exception a user can see: message, repr, traceback and attributes.
    """
    attributes = [repr(value) for value in vars(err).values()]
    return "\n".join(
        [str(err), repr(err), repr(err.args), *traceback.format_exception(err), *attributes],
    )


def assert_hidden(text: str, token: str) -> None:
    # Not even part of it, as a cut through the token would leave.
    for i in range(len(token) - 7):
        assert token[i : i + 8] not in text, text


@pytest.fixture(scope="module")
def sim():
    with UwSimServer(token=TOKEN) as sim:
        yield sim


@pytest.fixture
def client(sim):
    return UwRestClient(base_url=sim.http_url, api_key=TOKEN, max_retries=1, retry_initial_secs=0.01)


def test_a_gateway_echoing_a_wrong_token_does_not_put_it_in_the_error(sim):
    client = UwRestClient(base_url=sim.http_url, api_key=WRONG, max_retries=0)
    with pytest.raises(UwRequestError) as err:
        client.get(PATH)
    assert err.value.kind == "unauthorized"
    assert "Bearer ***" in str(err.value), "the simulator echoed the header"
    assert_hidden(everything_shown(err.value), WRONG)


@pytest.mark.parametrize(
    ("status", "count", "kind"),
    [(401, 1, "unauthorized"), (403, 1, "unauthorized"), (404, 1, "rejected"), (503, 2, "server")],
)
def test_error_answers_that_echo_the_header_are_scrubbed(sim, client, status, count, kind):
    sim.fail_http(status, count)
    with pytest.raises(UwRequestError) as err:
        client.get(PATH)
    assert err.value.kind == kind
    assert "Bearer ***" in str(err.value)
    assert_hidden(everything_shown(err.value), TOKEN)


@pytest.mark.parametrize(
    "body",
    [
        f'{{"error":{{"code":"denied","message":"Authorization: Bearer {TOKEN}"}}}}',
        f'{{"message":"seen {TOKEN}"}}',
        f"<html>Authorization: Bearer {TOKEN}</html>",
        f"<html>{'x' * 70}{TOKEN}</html>",
        f'{{"data":[{{"tape_time":"2025-03-21T09:30:00-04:00","net_call_premium":"{TOKEN}"}}]}}',
    ],
)
def test_bodies_that_quote_the_token_are_scrubbed(sim, client, body):
    sim.inject_http_body(body)
    with pytest.raises(UwRequestError) as err:
        client.get("/api/stock/SPY/net-prem-ticks?date=2025-03-21")
    assert err.value.kind == "parse"
    assert_hidden(everything_shown(err.value), TOKEN)


def test_history_errors_are_scrubbed(sim, client):
    sim.fail_http(403, 1)
    with pytest.raises(UwRequestError) as err:
        client.history("UwFlowAlert", [], 0, None, 0)
    assert_hidden(everything_shown(err.value), TOKEN)


def test_client_reprs_never_show_the_token(sim):
    shown = [
        repr(UwRestClient(base_url=sim.http_url, api_key=TOKEN)),
        repr(UwRestClient(base_url=f"{sim.http_url}/{TOKEN}", api_key=TOKEN)),
        repr(_core.UwLiveFeed(url=sim.ws_url, api_key=TOKEN)),
        repr(_core.UwLiveFeed(url=f"{sim.ws_url}?token={TOKEN}", api_key=TOKEN)),
    ]
    for text in shown:
        assert_hidden(text, TOKEN)
    with pytest.raises(ValueError) as err:
        UwRestClient(base_url=f"ftp://{TOKEN}@host", api_key=TOKEN)
    assert_hidden(everything_shown(err.value), TOKEN)


def test_doctor_never_prints_the_token(sim, capsys):
    checks = run_doctor(sim.http_url, sim.ws_url, UwApiKey(WRONG))
    assert not checks[1].ok, checks
    print_report(checks)
    out = capsys.readouterr()
    assert_hidden(repr(checks) + out.out + out.err, WRONG)


def test_a_hostile_frame_gives_a_short_error_quickly():
    hostile = "&token=a" * 400_000
    for frame in [f'["{hostile}", {{}}]', f'["price:SPY", {{"close": "{hostile}", "time": 1}}]']:
        start = time.perf_counter()
        with pytest.raises(UwParseError) as err:
            parse_ws_frame(frame)
        assert time.perf_counter() - start < 1.0
        assert len(str(err.value)) < 1_000
        assert len(repr(err.value.context)) < 1_000


def test_the_feed_repr_shows_the_url_as_the_connect_builds_it():
    # A URL with a query of its own gets the token appended with '&', and so does its repr.
    shown = repr(_core.UwLiveFeed(url="ws://127.0.0.1:9/socket?region=us", api_key=TOKEN))
    assert "ws://127.0.0.1:9/socket?region=us&token=***" in shown
    assert_hidden(shown, TOKEN)


def test_a_token_echoed_escaped_in_an_error_body_is_hidden_whole():
    # A server that echoes the Authorization header in JSON escapes a quote in the token; no part
    # of it may survive in the error.
    token = 'tok"quote\\back-SECRETPART'
    with UwSimServer(tickers=["SPY"], token=token) as sim:
        rest = UwRestClient(base_url=sim.http_url, api_key=token, max_retries=0)
        sim.fail_http(401)
        with pytest.raises(UwRequestError) as err:
            rest.get("/api/option-trades/flow-alerts?limit=1")
    shown = everything_shown(err.value)
    assert "SECRETPART" not in shown and "quote" not in shown, shown
