"""
The README's "History, recordings and backtests" block, run as written on a fresh machine without a
key (``--sim``): every command exits 0 and shows the result the README promises.

Two liberties, both about time: the recording lasts 8 s instead of 60, and ``python`` is this
interpreter. Commands run in a scratch directory, so the README's relative paths land there.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest


pytestmark = pytest.mark.timeout(240)

ROOT = Path(__file__).resolve().parents[3]
SECTION = "## History, recordings and backtests"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def to_argv(command: str) -> list[str]:
    argv = shlex.split(command)
    if argv[0] == "uw-nt":
        argv = [sys.executable, "-m", "nautilus_trader_uw.cli", *argv[1:]]
    elif argv[0] == "python":
        argv = [sys.executable, str(ROOT / argv[1]), *argv[2:]]
    if "--seconds" in argv and argv[1:3] == ["-m", "nautilus_trader_uw.cli"] and "record" in argv:
        argv[argv.index("--seconds") + 1] = "8"
    return argv


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """
    Each README command's stdout, in order, keyed by the command as the README writes it.
    """
    cwd = tmp_path_factory.mktemp("readme-flows")
    env = {k: v for k, v in os.environ.items() if k != "UW_API_KEY"}
    results = {}
    for command in readme_commands():
        result = subprocess.run(
            to_argv(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{command}\n{result.stderr}"
        results[command] = result.stdout
    return results


def output_of(outputs: dict[str, str], prefix: str) -> list[str]:
    found = [out for command, out in outputs.items() if command.startswith(prefix)]
    assert found, f"the README no longer shows `{prefix} ...`"
    return found


def test_the_block_runs_every_command_it_documents(outputs):
    commands = " ".join(outputs)
    for shown in ("uw-nt download --sim", "uw-nt record --sim", "uw-nt replay", "uw-nt parse", "backtest_from_catalog"):
        assert shown in commands


def test_a_past_week_downloads_from_the_simulator(outputs):
    alerts, ticks = output_of(outputs, "uw-nt download")
    found = re.search(r"UwFlowAlert: (\d+) records from 5 days", alerts)
    assert found and int(found.group(1)) > 5 * 1_000, alerts  # a full session per day
    assert re.search(r"UwNetPremTick: [1-9]\d* records from 5 days", ticks), ticks


def test_both_backtests_account_for_every_alert_and_history_trades(outputs):
    on_history, on_recording = output_of(outputs, "python examples/backtest_from_catalog.py")
    # A week of deterministic history always trades.
    decisions = re.search(r"decisions: (\d+)", on_history)
    assert decisions and int(decisions.group(1)) > 0, on_history
    # Eight seconds of live flow may not: every 0DTE alert is then a decision or a skip with a reason.
    for out in (on_history, on_recording):
        counts = re.search(r"0DTE alerts: (\d+), prints: \d+, decisions: (\d+)", out)
        skipped = re.search(r"skipped: (.*)", out)
        assert counts and int(counts.group(1)) > 0 and skipped, out
        reasons = [int(n) for n in re.findall(r"[a-z ]+ (\d+)", skipped.group(1))]
        assert int(counts.group(2)) + sum(reasons) == int(counts.group(1)), out


def test_the_recording_replays_into_a_catalog_and_a_node(outputs):
    [recorded] = output_of(outputs, "uw-nt record")
    assert re.search(r"recorded [1-9]\d* frames", recorded), recorded
    assert re.search(r"UwNetFlow +[1-9]\d*", recorded), recorded
    to_catalog, into_node = output_of(outputs, "uw-nt replay")
    assert re.search(r"UwFlowAlert +[1-9]\d*", to_catalog), to_catalog
    assert re.search(r"all \d+ records delivered", into_node), into_node
    [parsed] = output_of(outputs, "uw-nt parse")
    assert re.search(r"UwFlowAlert: [1-9]\d*", parsed), parsed
