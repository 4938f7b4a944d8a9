"""
UW history into a ``ParquetDataCatalog``: ``download`` (REST), ``record`` (the live stream) and
``replay_to_catalog`` (a JSONL recording), the data behind backtests.

Downloaded and replayed records carry ``ts_init = ts_event`` (a record is known from its event time
on), recorded ones their arrival time. Downloads go one New York trading day per chunk; each chunk
is written with that day's bounds and remembered in ``<catalog>/.uw-download.json``, so a
re-run skips finished days and an interrupted one resumes where it stopped (the current day is
never marked finished: it is fetched again, complete, on the next run).
"""

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_trader_uw import _core
from nautilus_trader_uw import types
from nautilus_trader_uw.cli_support import progress


NEW_YORK = ZoneInfo("America/New_York")
STATE_FILE = ".uw-download.json"


def data_type_by_name(name: str) -> type:
    """
    The UW ``Data`` class called ``name`` (``UwFlowAlert``).
    """
    cls = getattr(types, name, None)
    if cls is None or cls not in types.ALL_TYPES:
        known = ", ".join(sorted(t.__name__ for t in types.ALL_TYPES))
        raise ValueError(f"unknown UW type {name!r}; one of: {known}")
    return cls


def trading_days(start: date, end: date, include_weekends: bool = False) -> list[date]:
    """
    Weekdays from ``start`` to ``end`` inclusive (exchange holidays simply come back empty).
    """
    days = []
    d = start
    while d <= end:
        if include_weekends or d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def day_bounds_ns(day: date) -> tuple[int, int]:
    """
    ``[00:00, 24:00)`` New York time of ``day`` in UNIX nanoseconds (end inclusive, minus 1 ns).
    """
    start = pd.Timestamp(day.isoformat(), tz=NEW_YORK)
    return start.value, (start + pd.Timedelta(days=1)).value - 1


def _load_state(catalog_path: Path) -> dict:
    path = catalog_path / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _save_state(catalog_path: Path, state: dict) -> None:
    path = catalog_path / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)


def download(
    client: _core.UwRestClient,
    type_name: str,
    metadata: dict[str, str],
    start: date,
    end: date,
    catalog_path: str | Path,
    show_progress: bool = True,
    on_day: Callable[[date, int], None] | None = None,
    include_weekends: bool = False,
) -> dict[str, int]:
    """
    Download ``type_name`` history for each trading day in ``[start, end]`` into the catalog.

    Returns counts: ``days`` fetched now, ``skipped`` (already done), ``records`` written.
    """
    data_type_by_name(type_name)
    catalog_path = Path(catalog_path)
    catalog_path.mkdir(parents=True, exist_ok=True)
    catalog = ParquetDataCatalog(str(catalog_path))
    key = json.dumps([type_name, sorted(metadata.items())])
    state = _load_state(catalog_path)
    done: list[str] = state.setdefault(key, [])
    counts: Counter = Counter()
    days = trading_days(start, end, include_weekends)
    for day in progress(days, desc=f"{type_name} {dict(metadata) or ''}".strip(), enabled=show_progress):
        if day.isoformat() in done:
            counts["skipped"] += 1
            continue
        lo, hi = day_bounds_ns(day)
        records = client.history(type_name, list(metadata.items()), lo, hi, 0, True)
        records.sort(key=lambda r: (r.ts_init, r.ts_event))
        if records:
            catalog.write_data(records, start=lo, end=hi)
        # A day still in progress is fetched again next time (the rewrite replaces its file).
        if hi < pd.Timestamp.now(tz=NEW_YORK).value:
            done.append(day.isoformat())
            _save_state(catalog_path, state)
        counts["days"] += 1
        counts["records"] += len(records)
        if on_day is not None:
            on_day(day, len(records))
    return {"days": counts["days"], "skipped": counts["skipped"], "records": counts["records"]}


def _received_at_ns(text: str) -> int:
    ts = pd.Timestamp(text)
    return (ts if ts.tzinfo else ts.tz_localize("UTC")).value


def replay_to_catalog(recording: str | Path, catalog_path: str | Path) -> Counter:
    """
    Decode a JSONL recording (``{"received_at", "frame"}`` per line) through the Rust parser and
    write the records to the catalog, stamped with their arrival times. Returns counts per type.
    """
    counts: Counter = Counter()
    records = []
    for line in Path(recording).read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            decoded = _core.parse_ws_frame(row["frame"], ts_init=_received_at_ns(row["received_at"]))
        except _core.UwParseError as e:
            counts[f"error:{e.kind}"] += 1
            continue
        for obj in decoded:
            counts[type(obj).__name__] += 1
            records.append(obj)
    if records:
        records.sort(key=lambda r: r.ts_init)
        ParquetDataCatalog(str(catalog_path)).write_data(records)
    return counts


def record(
    subscriptions: list[tuple[str, dict[str, str]]],
    seconds: float,
    out_dir: str | Path,
    url: str | None = None,
    api_key: str | None = None,
    venue: str = _core.DEFAULT_VENUE,
) -> Counter:
    """
    Stream the given subscriptions for ``seconds``: raw frames with arrival times go to
    ``<out_dir>/frames.jsonl`` (replayable), typed records to ``<out_dir>/catalog``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    records: list = []
    counts: Counter = Counter()

    def on_batch(objects: list, routes: list, logs: list) -> None:
        records.extend(objects)
        for level, message in logs:
            if level >= 30:
                print(message, file=sys.stderr)

    feed = _core.UwLiveFeed(
        url=url or _core.UW_WS_URL,
        api_key=api_key,
        venue=venue,
        record_path=str(out / "frames.jsonl"),
    )
    feed.start(loop, on_batch)
    try:
        for type_name, metadata in subscriptions:
            data_type_by_name(type_name)
            feed.subscribe(type_name, list(metadata.items()))
        loop.run_until_complete(asyncio.sleep(seconds))
    finally:
        stats = feed.stats()
        feed.close()
        loop.run_until_complete(asyncio.sleep(0.2))  # deliver what the feed still held
        loop.close()
    for obj in records:
        counts[type(obj).__name__] += 1
    if records:
        records.sort(key=lambda r: r.ts_init)
        ParquetDataCatalog(str(out / "catalog")).write_data(records)
    counts["frames"] = stats["frames"]
    counts["parse_errors"] = stats["parse_errors"]
    return counts


def parse_day(text: str) -> date:
    """
    ``YYYY-MM-DD``, ``today`` or ``-N`` (N days ago), New York time.
    """
    today = pd.Timestamp.now(tz=NEW_YORK).date()
    if text == "today":
        return today
    if text.startswith("-") and text[1:].isdigit():
        return today - timedelta(days=int(text[1:]))
    return date.fromisoformat(text)
