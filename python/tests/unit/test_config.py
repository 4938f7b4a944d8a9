"""
The client configuration: defaults, validation, and a token that never shows.
"""

import copy
import importlib.util
import json
import pickle
from pathlib import Path

import pytest
from nautilus_trader.config import TradingNodeConfig

from nautilus_trader_uw import UW
from nautilus_trader_uw import UnusualWhalesDataClientConfig
from nautilus_trader_uw import UwApiKey
from nautilus_trader_uw import _core


TOKEN = "uw-secret-0123456789"


def test_an_explicit_key_is_hidden_from_repr_str_format_and_json():
    config = UnusualWhalesDataClientConfig(api_key=TOKEN)
    assert isinstance(config.api_key, UwApiKey)
    assert TOKEN not in repr(config)
    assert TOKEN not in str(config.api_key) and TOKEN not in f"{config.api_key}" and TOKEN not in repr(config.api_key)
    assert TOKEN not in config.json().decode()
    assert b'"api_key":null' in config.json()
    assert config.api_key.reveal() == TOKEN


def test_the_whole_node_config_never_serialises_the_key():
    node = TradingNodeConfig(data_clients={UW: UnusualWhalesDataClientConfig(api_key=TOKEN)})
    assert TOKEN not in node.json().decode()
    assert TOKEN not in repr(node)


def test_the_live_feed_reads_the_real_characters_but_never_shows_them():
    feed = _core.UwLiveFeed(url="ws://127.0.0.1:9/socket", api_key=UwApiKey(TOKEN).reveal())
    assert TOKEN not in repr(feed)
    assert "token=***" in repr(feed)


def test_a_missing_key_is_a_clear_error_naming_the_variable(monkeypatch):
    monkeypatch.delenv("UW_API_KEY", raising=False)
    with pytest.raises(ValueError, match="UW_API_KEY"):
        _core.UwLiveFeed(url="ws://127.0.0.1:9/socket")
    monkeypatch.setenv("UW_API_KEY", TOKEN)
    assert TOKEN not in repr(_core.UwLiveFeed(url="ws://127.0.0.1:9/socket"))


def test_bad_urls_are_refused_without_echoing_the_token():
    with pytest.raises(ValueError, match="ws://") as err:
        _core.UwLiveFeed(url=f"https://host/socket?token={TOKEN}", api_key=TOKEN)
    assert TOKEN not in str(err.value)


def test_defaults_follow_uw_and_the_ib_adapter():
    config = UnusualWhalesDataClientConfig()
    assert config.api_key is None
    assert config.ws_url == "wss://api.unusualwhales.com/socket"
    assert config.http_url == "https://api.unusualwhales.com"
    assert config.option_venue == "SMART"
    assert (config.heartbeat_secs, config.pong_timeout_secs) == (30.0, 10.0)
    assert config.routing.default is False, "UW must never become the node's default route"


def test_the_key_is_never_pickled():
    key = UwApiKey(TOKEN)
    config = UnusualWhalesDataClientConfig(api_key=TOKEN)
    for obj in (key, config, [key]):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(TypeError, match="UW_API_KEY") as err:
                pickle.dumps(obj, protocol=protocol)
            assert TOKEN not in str(err.value)
    assert TOKEN not in repr([key, {"k": key}])


def test_the_key_is_not_a_string_so_string_operations_cannot_reveal_it():
    key = UwApiKey(TOKEN)
    assert not isinstance(key, str)
    for leak in (
        lambda: "k=" + key,
        lambda: key + "!",
        lambda: "".join([key]),
        lambda: key[:5],
        lambda: key.encode(),
        lambda: key.upper(),
        lambda: len(key),
        lambda: list(key),
        lambda: "uw" in key,
        lambda: json.dumps(key),
        lambda: json.dumps({"api_key": key}),
        lambda: bytes(key),
    ):
        try:
            shown = leak()
        except (TypeError, AttributeError) as e:
            shown = str(e)
        assert TOKEN not in str(shown) and TOKEN[:8] not in str(shown)
    for shown in (
        str(key),
        repr(key),
        f"{key}",
        f"{key!s}",
        f"{key!r}",
        f"{key:>40}",
        f"{key=}",
        "%s" % key,  # noqa: UP031 (the old formatting is what is tested)
        "%r" % key,  # noqa: UP031
        "{}".format(key),  # noqa: UP032
        json.dumps({"api_key": key}, default=str),
    ):
        assert TOKEN not in shown and "***" in shown
    assert key.reveal() == TOKEN


def test_the_key_compares_hashes_and_copies_by_value():
    key = UwApiKey(TOKEN)
    assert key == UwApiKey(TOKEN) and hash(key) == hash(UwApiKey(TOKEN))
    assert key != UwApiKey("other") and key != TOKEN
    assert UwApiKey(key).reveal() == TOKEN
    assert copy.deepcopy(key).reveal() == TOKEN and copy.copy(key) is key
    assert bool(key) and not UwApiKey("")
    with pytest.raises(AttributeError):
        key.token = "x"
    with pytest.raises(TypeError, match="int"):
        UwApiKey(12345)
    config = UnusualWhalesDataClientConfig(api_key=TOKEN)
    assert config == UnusualWhalesDataClientConfig(api_key=UwApiKey(TOKEN))
    assert copy.deepcopy(config).api_key.reveal() == TOKEN


def test_the_config_accepts_a_key_decodes_and_validates():
    config = UnusualWhalesDataClientConfig(api_key=UwApiKey(TOKEN))
    assert config.api_key.reveal() == TOKEN
    assert TOKEN not in repr(config) and TOKEN not in str(config.dict())
    assert config.json_primitives()["api_key"] is None
    assert config.validate()
    decoded = UnusualWhalesDataClientConfig.parse(b'{"api_key": "' + TOKEN.encode() + b'"}')
    assert isinstance(decoded.api_key, UwApiKey) and decoded.api_key.reveal() == TOKEN
    assert UnusualWhalesDataClientConfig.parse(config.json()).api_key is None
    assert "api_key" in json.dumps(UnusualWhalesDataClientConfig.json_schema())


def test_the_ib_example_routes_by_default_to_ib():
    path = Path(__file__).resolve().parents[3] / "examples" / "ib_and_uw_node.py"
    spec = importlib.util.spec_from_file_location("ib_and_uw_node", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = module.build_config()
    assert list(config.data_clients) == ["INTERACTIVE_BROKERS", UW]
    assert config.data_clients["INTERACTIVE_BROKERS"].routing.default is True
    assert config.data_clients[UW].routing.default is False
    assert config.data_clients[UW].api_key is None


def test_the_ib_example_asks_for_an_ib_account_before_building(monkeypatch):
    # Without one, NautilusTrader's IB factory fails deep in node.build() with an AssertionError.
    path = Path(__file__).resolve().parents[3] / "examples" / "ib_and_uw_node.py"
    spec = importlib.util.spec_from_file_location("ib_and_uw_node", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("IB_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("TWS_ACCOUNT", raising=False)
    with pytest.raises(SystemExit, match="set IB_ACCOUNT_ID"):
        module.main()


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("reconnect_jitter", 1e30, "[0, 10]"),
        ("reconnect_jitter", float("nan"), "[0, 10]"),
        ("heartbeat_secs", 0.0, "(0, 3600]"),
        ("pong_timeout_secs", -1.0, "(0, 3600]"),
        ("reconnect_max_secs", float("inf"), "[0, 86400]"),
        ("queue_capacity", 0, "[1, 1e+08]"),
        ("max_batch", 0, "[1, 1e+06]"),
        ("http_timeout_secs", 0.0, "(0, 3600]"),
        ("http_requests_per_minute", 0, "[1, 1e+06]"),
        ("http_retry_initial_secs", -1.0, "[0, 3600]"),
        ("http_retry_max_secs", float("inf"), "[0, 86400]"),
        ("http_max_rate_limit_waits", 1001, "[0, 1000]"),
        ("stale_after_secs", -5.0, "(0, 86400]"),
    ],
)
def test_numeric_settings_are_validated_when_the_config_is_made(field, value, accepted):
    with pytest.raises(ValueError) as err:
        UnusualWhalesDataClientConfig(**{field: value})
    assert field in str(err.value) and accepted in str(err.value)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("queue_capacity", 1.5, "an int"),
        ("max_batch", 2.7, "an int"),
        ("max_reconnect_attempts", 2.5, "an int or None"),
        ("http_max_concurrent", 1.5, "an int"),
        ("http_requests_per_day", "100", "an int or None"),
        ("queue_capacity", True, "an int"),
        ("stale_only_in_session", "no", "a bool"),
        ("backfill", "no", "a bool"),
        ("backfill", 0, "a bool"),
        ("padded_occ_root", "yes", "a bool or None"),
        ("option_venue", 5, "a str"),
        ("record_path", "", "a file path"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_when_the_config_is_made(field, value, expected):
    # Not only when the node connects, as an error naming no field (which stalled the node's
    # start), and not silently either: "no" is a true value.
    with pytest.raises(TypeError) as err:
        UnusualWhalesDataClientConfig(**{field: value})
    assert str(err.value).startswith(f"{field} must be {expected}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_url_ws", "http://127.0.0.1:8765/socket"),
        ("base_url_ws", "wss:///socket"),
        ("base_url_ws", ""),
        ("base_url_http", "ftp://127.0.0.1:8766"),
        ("base_url_http", "127.0.0.1:8766"),
        ("base_url_http", "http://127.0.0.1:99999"),
        ("option_venue", ""),
        ("option_venue", "SM.ART"),
        ("option_venue", "SMART "),
    ],
)
def test_urls_and_the_venue_are_checked_when_the_config_is_made(field, value):
    # An empty base URL would otherwise fall back to UW's production service without a word.
    with pytest.raises(ValueError) as err:
        UnusualWhalesDataClientConfig(**{field: value, "api_key": TOKEN})
    assert str(err.value).startswith(f"{field} must be")
    assert TOKEN not in str(err.value)


def test_urls_with_a_token_in_their_query_are_refused_without_showing_it():
    with pytest.raises(ValueError) as err:
        UnusualWhalesDataClientConfig(base_url_ws=f"http://127.0.0.1/socket?token={TOKEN}")
    assert TOKEN not in str(err.value)


def test_well_formed_values_of_every_kind_are_accepted():
    config = UnusualWhalesDataClientConfig(
        base_url_ws="ws://127.0.0.1:8765/socket",
        base_url_http="https://api.example.com",
        option_venue="SMART",
        padded_occ_root=None,
        max_reconnect_attempts=0,
        http_requests_per_day=None,
        stale_only_in_session=False,
        backfill=False,
        record_path=Path("frames.jsonl"),
        heartbeat_secs=30,
    )
    assert config.ws_url == "ws://127.0.0.1:8765/socket"
    assert config.record_path == "frames.jsonl", "a Path is kept as text, which the config's JSON can hold"
    assert UnusualWhalesDataClientConfig.parse(config.json()).max_reconnect_attempts == 0


def test_the_clients_refuse_what_the_config_would():
    with pytest.raises(ValueError, match=r"reconnect_jitter must be in \[0, 10\]"):
        _core.UwLiveFeed(api_key="k", reconnect_jitter=1e30)
    with pytest.raises(ValueError, match="reconnect_max_secs"):
        UnusualWhalesDataClientConfig(reconnect_initial_secs=5.0, reconnect_max_secs=1.0)
    with pytest.raises(ValueError, match=r"timeout_secs must be in \(0, 3600\]"):
        _core.UwRestClient(api_key="k", timeout_secs=0.0)
    UnusualWhalesDataClientConfig(max_reconnect_attempts=None, stale_after_secs=None)
