"""
A row of UW's answer that cannot be read costs that row only: the rows around it and the pages
after it arrive, and the skip is reported (``rows_skipped``, a warning, the CLI's warning line),
never silent. Against a loopback server that pages flow alerts as UW documents it.
"""

import json
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pandas as pd
import pytest
from nautilus_trader.model.data import DataType
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwRequestError
from nautilus_trader_uw import UwRestClient
from nautilus_trader_uw import UwSkippedRowsWarning
from nautilus_trader_uw.sim import UwSimServer

from .node_harness import Requester
from .node_harness import run_node


pytestmark = pytest.mark.timeout(120)

DAY = "2025-05-14"
BASE_MS = int(pd.Timestamp(f"{DAY} 14:00", tz="UTC").value // 1_000_000)
ALERTS = 450
# Index -> what is wrong with that row: one on the first (newest) page, one on the third.
BAD = {300: ("total_premium", None), 10: ("option_chain", "NOT_AN_OCC")}


def _alert(i: int, bad: dict[int, tuple[str, object]]) -> dict:
    row = {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "ticker": "SPY",
        "option_chain": "SPY250514C00590000",
        "type": "call",
        "strike": "590",
        "expiry": DAY,
        "total_premium": str(10_000 + i),
        "total_size": 10,
        "price": "1.5",
        "alert_rule": "RepeatedHits",
        "start_time": BASE_MS + i * 1000,
        "end_time": BASE_MS + i * 1000,
        "created_at": pd.Timestamp((BASE_MS + i * 1000) * 1_000_000, tz="UTC").isoformat().replace("+00:00", "Z"),
    }
    if i in bad:
        key, value = bad[i]
        row[key] = value
    return row


@contextmanager
def _uw(bad: dict[int, tuple[str, object]]) -> Iterator[str]:
    """
    ``/api/option-trades/flow-alerts``: newest first, ``older_than``/``newer_than`` strict bounds
    in milliseconds, ``limit`` rows a page (200 at most).
    """
    rows = [_alert(i, bad) for i in range(ALERTS)]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path != "/api/option-trades/flow-alerts":
                self.send_error(404)
                return
            older = int(q.get("older_than", 2**62))
            newer = int(q.get("newer_than", -1))
            limit = min(int(q.get("limit", 50)), 200)
            page = [r for r in reversed(rows) if newer < r["end_time"] < older][:limit]
            body = json.dumps({"data": page}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _range_ns() -> tuple[int, int]:
    return BASE_MS * 1_000_000, (BASE_MS + ALERTS * 1000) * 1_000_000


def _good_ids() -> set[str]:
    return {_alert(i, {})["id"] for i in range(ALERTS) if i not in BAD}


def test_a_bad_row_costs_only_itself_across_pages_and_is_reported():
    with _uw(BAD) as url:
        rest = UwRestClient(base_url=url, api_key="tok-BAD-ROWS")
        skipped: list = []
        alerts = rest.history("UwFlowAlert", [("ticker", "SPY")], *_range_ns(), 0, False, skipped)
    # The first page held a bad row and was still full: the walk went on to the older pages.
    assert {a.id for a in alerts} == _good_ids()
    assert [a.ts_event for a in alerts] == sorted(a.ts_event for a in alerts), "oldest first"
    [(count, errors)] = skipped
    assert count == 2
    assert any("data[149].total_premium" in e for e in errors), errors
    assert any("option_chain" in e and "NOT_AN_OCC" in e for e in errors), errors
    assert all(e.startswith("/api/option-trades/flow-alerts?") for e in errors)


def test_without_a_list_the_skip_is_a_warning():
    with _uw(BAD) as url:
        rest = UwRestClient(base_url=url, api_key="tok-BAD-ROWS")
        with pytest.warns(UwSkippedRowsWarning, match=r"UwFlowAlert history: skipped 2 unreadable rows.*data\["):
            alerts = rest.history("UwFlowAlert", [("ticker", "SPY")], *_range_ns(), 0)
    assert len(alerts) == ALERTS - 2


def test_a_clean_answer_warns_of_nothing():
    with _uw({}) as url:
        rest = UwRestClient(base_url=url, api_key="tok-BAD-ROWS")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            skipped: list = []
            alerts = rest.history("UwFlowAlert", [("ticker", "SPY")], *_range_ns(), 0, False, skipped)
    assert len(alerts) == ALERTS and skipped == []


def test_a_page_of_only_bad_rows_fails_the_request():
    # Not a row at fault but UW's format: every row of the first page lacks its premium.
    every = {i: ("total_premium", None) for i in range(ALERTS)}
    with _uw(every) as url:
        rest = UwRestClient(base_url=url, api_key="tok-BAD-ROWS")
        with pytest.raises(UwRequestError, match=r"total_premium") as e:
            rest.history("UwFlowAlert", [("ticker", "SPY")], *_range_ns(), 0, False, [])
    assert e.value.kind == "parse"


def test_download_writes_the_good_rows_and_warns_of_the_bad(tmp_path):
    catalog = tmp_path / "cat"
    with _uw(BAD) as url:
        result = subprocess.run(
            [
                sys.executable, "-m", "nautilus_trader_uw.cli", "download", "--type", "UwFlowAlert",
                "--ticker", "SPY", "--start", DAY, "--end", DAY, "--catalog", str(catalog),
                "--base-url-http", url, "--api-key", "tok-BAD-ROWS",
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"warning: {DAY}: skipped 2 unreadable rows of UW's answers; the first: /api/" in result.stderr
    assert "448 records" in result.stdout and "2 unreadable rows skipped" in result.stdout
    assert "tok-BAD-ROWS" not in result.stdout + result.stderr
    stored = {c.data.id for c in ParquetDataCatalog(str(catalog)).query(UwFlowAlert)}
    assert stored == _good_ids()


def test_request_data_answers_with_the_good_rows_then_rows_skipped():
    with _uw(BAD) as url, UwSimServer(rate=0.0) as sim:
        start, end = _range_ns()
        req = Requester([(DataType(UwFlowAlert, metadata={"ticker": "SPY"}), pd.Timestamp(start, tz="UTC"))])
        # The range ends in the past: the node asks up to now, which this server answers the same.
        run_node(sim, [req], seconds=3.0, client_overrides={"base_url_http": url})
    alerts = [d for d in req.historical if isinstance(d, UwFlowAlert)]
    statuses = [d for d in req.historical if isinstance(d, UwFeedStatus)]
    assert {a.id for a in alerts} == _good_ids()
    [status] = statuses
    assert status.status == "rows_skipped" and status.attempt == 2
    assert "data[149].total_premium" in status.detail or "NOT_AN_OCC" in status.detail
    assert status.request_id in {str(i) for i in req.completed}
    assert req.historical[-1] is status, "after the records"
    assert end > start
