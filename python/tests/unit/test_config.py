"""
The client configuration: defaults, validation, and a token that never shows.
"""

import importlib.util
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
    feed = _core.UwLiveFeed(url="ws://127.0.0.1:9/socket", api_key=UwApiKey(TOKEN))
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


def test_the_key_does_not_survive_pickling_into_logs():
    key = UwApiKey(TOKEN)
    assert pickle.loads(pickle.dumps(key)).reveal() == TOKEN
    assert TOKEN not in repr([key, {"k": key}])


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
