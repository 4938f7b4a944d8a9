"""
UW's full tape into a catalog: streamed from the simulator in batches, never held whole.
"""

import subprocess
import sys
import tracemalloc
from datetime import date

import pytest
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw.history import download_full_tape
from nautilus_trader_uw.sim import UwSimServer


pytestmark = pytest.mark.timeout(180)

DAY = date(2025, 7, 25)
# The simulator's tape of a day (crates/adapters/unusual_whales_sim/src/tape.rs).
TAPE_ROWS = 20_000


def test_the_tape_of_a_day_is_written_in_batches(tmp_path):
    with UwSimServer(rate=0.0) as sim:
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        batches: list[int] = []
        counts = download_full_tape(
            client, DAY, DAY, tmp_path, batch_size=2_000, show_progress=False,
            on_batch=lambda _day, n: batches.append(n), base_url=sim.http_url,
        )  # fmt: skip
        again = download_full_tape(client, DAY, DAY, tmp_path, show_progress=False, base_url=sim.http_url)
    assert counts == {"days": 1, "skipped": 0, "records": TAPE_ROWS, "batches": 10}
    assert batches == [2_000] * 10
    assert again == {"days": 0, "skipped": 1, "records": 0, "batches": 0}, "a finished day is not fetched again"
    stored = [c.data if hasattr(c, "data") else c for c in ParquetDataCatalog(str(tmp_path)).query(UwOptionTrade)]
    assert len(stored) == TAPE_ROWS
    assert len({p.id for p in stored}) == TAPE_ROWS
    first = min(stored, key=lambda p: p.ts_event)
    assert (first.underlying_symbol, first.price, first.tags) == ("NVDA", 21.5, ["bid_side", "bearish"])
    assert first.ts_init == first.ts_event, "catalog history is known from its event time on"


def test_reading_a_tape_holds_about_a_batch_not_the_day():
    with UwSimServer(rate=0.0) as sim:
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token)
        tracemalloc.start()
        rows = 0
        for batch in client.full_tape(DAY.isoformat(), 500):
            rows += len(batch)
            assert len(batch) == 500
            del batch
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert rows == TAPE_ROWS
    # Forty batches went through; Python never held more than a few of them (a print object is
    # about a kilobyte).
    assert peak < 4 * 500 * 2_000, peak


def test_a_bad_date_and_a_refused_tape_are_clear_errors():
    with UwSimServer(rate=0.0) as sim:
        client = UwRestClient(base_url=sim.http_url, api_key=sim.token, max_retries=0)
        with pytest.raises(ValueError, match="full_tape"):
            client.full_tape("2025-13-01")
        sim.inject_http_body('{"code":"historic_data_access_missing","message":"outside your plan"}')
        with pytest.raises(UwRequestError, match="not a zip") as err:
            list(client.full_tape(DAY.isoformat()))
        assert err.value.kind == "parse" and sim.token not in str(err.value)


def test_uw_nt_download_full_tape(tmp_path):
    r = subprocess.run(
        [
            sys.executable, "-m", "nautilus_trader_uw.cli", "download", "--type", "UwOptionTrade", "--full-tape",
            "--batch-size", "5000", "--start", DAY.isoformat(), "--end", DAY.isoformat(), "--catalog", str(tmp_path),
            "--sim", "--quiet",
        ],
        capture_output=True, text=True, timeout=150, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"{TAPE_ROWS} records of the full tape of 1 days" in r.stdout and "in 4 batches" in r.stdout
    refused = subprocess.run(
        [
            sys.executable, "-m", "nautilus_trader_uw.cli", "download", "--type", "UwFlowAlert", "--full-tape",
            "--start", DAY.isoformat(), "--catalog", str(tmp_path), "--sim",
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode != 0 and "use --type UwOptionTrade" in refused.stderr
