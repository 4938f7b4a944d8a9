"""
UW's full tape into a catalog: streamed from the simulator in batches, never held whole.
"""

import contextlib
import io
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
import zipfile
from datetime import date
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

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


# UW's full-tape CSV columns (docs/uw-api.md#rest-full-tape).
_TAPE_COLUMNS = (
    "id,underlying_symbol,executed_at,nbbo_bid,nbbo_ask,size,price,option_chain_id,alert_score,created_at,"
    "report_flags,tags,expiry,option_type,open_interest,strike,premium,aggregated_trade_id,volume,"
    "underlying_price,ewma_nbbo_ask,ewma_nbbo_bid,implied_volatility,delta,theta,gamma,vega,rho,theo,"
    "upstream_condition_detail,market_center_locate,canceled,trade_id,exchange,ask_vol,bid_vol,no_side_vol,"
    "mid_vol,multi_vol,stock_multi_vol"
)


def _tape_zip(rows: int) -> bytes:
    lines = [_TAPE_COLUMNS]
    for i in range(rows):
        ts = f"2025-07-25 13:30:{(i // 1000) % 60:02d}.{i % 1000:03d}+00"
        lines.append(
            f"{uuid.UUID(int=i)},SPY,{ts},1.00,1.10,1,1.05,SPY250725C00600000,,{ts},{{}},{{}},2025-07-25,call,10,"
            f"600,105,,{i + 1},600.1,1.1,1.0,0.2,0.5,-0.1,0.01,0.1,0.01,1.05,auto,,f,,XCBO,1,0,0,0,0,0"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("2025-07-25-option_trades.csv", "\n".join(lines) + "\n")
    return out.getvalue()


@contextlib.contextmanager
def _paced_tape_server(body: bytes, pieces: int, pause_secs: float, stop_after: int | None = None):
    """
    Serves `body` as the tape in `pieces` writes `pause_secs` apart; with `stop_after`, goes silent
    after that many pieces (the connection stays open).
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = len(body) // pieces + 1
            for n, at in enumerate(range(0, len(body), step)):
                if stop_after is not None and n >= stop_after:
                    time.sleep(30)
                    return
                self.wfile.write(body[at : at + step])
                self.wfile.flush()
                time.sleep(pause_secs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_tape_that_takes_longer_than_the_timeout_arrives_while_bytes_flow():
    # A real tape (gigabytes) takes minutes: the timeout bounds each silence, not the download.
    body = _tape_zip(4_000)
    with _paced_tape_server(body, pieces=20, pause_secs=0.15) as url:
        client = UwRestClient(base_url=url, api_key="tok-tape-paced", timeout_secs=1.0, max_retries=0)
        started = time.monotonic()
        prints = sum(len(batch) for batch in client.full_tape("2025-07-25", 1_000))
        took = time.monotonic() - started
    assert prints == 4_000
    assert took > 2.0, "the download outlasted the timeout"
    # Silent for longer than the timeout: that ends it.
    with _paced_tape_server(body, pieces=20, pause_secs=0.05, stop_after=5) as url:
        client = UwRestClient(base_url=url, api_key="tok-tape-silent", timeout_secs=1.0, max_retries=0)
        with pytest.raises(UwRequestError):
            for _ in client.full_tape("2025-07-25", 1_000):
                pass
