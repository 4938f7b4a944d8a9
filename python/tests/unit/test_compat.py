"""
The supported NautilusTrader releases: what is tested, and what a user of another release hears.
"""

import subprocess
import sys

import nautilus_trader
import pytest

import nautilus_trader_uw as uw
from nautilus_trader_uw import _compat
from nautilus_trader_uw import _core


@pytest.mark.parametrize("version", ["1.221.0", "1.225.3", "1.231.0"])
def test_tested_releases_get_no_warning(version):
    assert _compat.untested_release_message(version) is None


@pytest.mark.parametrize("version", ["1.220.0", "1.232.0", "1.231.0rc1", "2.0.0a3", "2.1.0", "nightly"])
def test_other_releases_are_named_with_the_tested_range(version):
    message = _compat.untested_release_message(version)
    assert message is not None
    assert version in message and "1.221.0 to 1.231.0" in message


def test_two_x_gets_the_reason_the_adapter_targets_v1():
    assert "v1 TradingNode" in _compat.untested_release_message("2.0.0")
    assert "v1 TradingNode" not in _compat.untested_release_message("1.232.0")


def test_the_installed_release_is_a_tested_one_and_imports_without_a_warning():
    assert _compat.untested_release_message(nautilus_trader.__version__) is None
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", "import nautilus_trader_uw"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_an_untested_release_warns_once_at_import(monkeypatch):
    monkeypatch.setattr(_compat, "NAUTILUS_VERSION", "2.0.0a1")
    with pytest.warns(uw.UwCompatibilityWarning) as caught:
        _compat.warn_if_untested()
    (warning,) = caught
    assert "2.0.0a1" in str(warning.message) and "1.221.0 to 1.231.0" in str(warning.message)


def test_the_rust_default_follows_the_installed_ib_adapter():
    padded = _compat.parse_version(nautilus_trader.__version__) >= (1, 223, 0)
    assert _compat.IB_PADS_OCC_ROOT is padded
    assert _core._padded_occ_root_default() is padded


def test_history_path_matches_the_installed_data_engine():
    # 1.221 hands a response's records to the requester; later releases route them through the
    # DataEngine's historical topics (which drops anything not wrapped in CustomData).
    newer = _compat.parse_version(nautilus_trader.__version__) > (1, 221, 0)
    assert _compat.HISTORY_THROUGH_ENGINE is newer
