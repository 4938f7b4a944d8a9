"""
Fixture loaders: the crate's per-channel fixtures and UW's recorded session.
"""

import json
from pathlib import Path

import pytest

from nautilus_trader_uw.samples import sample_recording_path


ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "crates" / "adapters" / "unusual_whales" / "test_data"


def ws_fixture_frames() -> list[str]:
    frames = []
    for path in sorted(TEST_DATA.glob("ws_*.jsonl")):
        frames += [line for line in path.read_text().splitlines() if line.strip()]
    return frames


def recorded_frames() -> list[str]:
    return [json.loads(line)["frame"] for line in sample_recording_path().read_text().splitlines() if line]


@pytest.fixture(scope="session")
def all_frames() -> list[str]:
    return ws_fixture_frames() + recorded_frames()
