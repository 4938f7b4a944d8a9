"""
UW history into a ``ParquetDataCatalog``: ``download`` (REST), ``record`` (the live stream) and
``replay_to_catalog`` (a JSONL recording), the data behind backtests.

Downloaded and replayed records carry ``ts_init = ts_event`` (a record is known from its event time
on), recorded ones their arrival time. Downloads go one New York trading day per chunk; each chunk
is written with that day's bounds and remembered in ``<catalog>/.uw-download.json`` under the
server, the type and its filters, so a re-run skips finished days and an interrupted one resumes
where it stopped, while the same days from another server (the simulator, then UW) are fetched.
The current day, and any later one, is never marked finished: it is fetched again, complete, on
the next run. A finished past day with no records stays finished (a holiday, a quiet ticker).
"""

import asyncio
import json
import re
import sys
import urllib.parse
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
from nautilus_trader_uw.cli_support import CliError
from nautilus_trader_uw.cli_support import RecordingError
from nautilus_trader_uw.cli_support import end_status_line
from nautilus_trader_uw.cli_support import progress
from nautilus_trader_uw.cli_support import recording_rows
from nautilus_trader_uw.cli_support import show_status


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


def download_server(base_url: str) -> str:
    """
    The server part of a download's state key: ``base_url`` without credentials, query or
    fragment (a token may ride in either) and without a trailing slash.
    """
    parts = urllib.parse.urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def download_key(base_url: str, type_name: str, metadata: dict[str, str]) -> str:
    """
    Where ``<catalog>/.uw-download.json`` lists the finished days of one download: by server, type
    and filters. The state of earlier releases, keyed by type and filters only, is kept in the file
    but not used: it cannot say which server its days came from, and taking them for UW's would
    skip, against the real service, days that were fetched from the simulator. Those days are
    fetched once more (each rewrite replaces the day's file).
    """
    return json.dumps([download_server(base_url), type_name, sorted(metadata.items())])


def _load_state(catalog_path: Path) -> dict:
    path = catalog_path / STATE_FILE
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not a download state file ({e}); delete it to fetch every day again") from None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: not a download state file; delete it to fetch every day again")
    return state


def _save_state(catalog_path: Path, state: dict) -> None:
    path = catalog_path / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)


def _write_day(catalog: ParquetDataCatalog, records: list, lo: int, hi: int) -> None:
    """
    Write one day's records with the day's bounds, replacing what an earlier fetch of the day wrote
    for the same type and instrument. NautilusTrader 1.221 overwrites a file with the same bounds;
    1.231 keeps it and skips the write ("already exists"), which would freeze a day fetched while in
    progress, or fetched before from another server, at its first version.
    """
    # Private to the catalog, and the same on 1.221 and 1.231 (the last v1 release).
    from nautilus_trader.persistence.catalog.parquet import _timestamps_to_filename

    filename = _timestamps_to_filename(lo, hi)
    for cls, instrument_id in {(type(r), getattr(r, "instrument_id", None)) for r in records}:
        identifier = instrument_id.value if instrument_id is not None else None
        path = f"{catalog._make_path(data_cls=cls, identifier=identifier)}/{filename}"
        if catalog.fs.exists(path):
            catalog.fs.rm(path)
    catalog.write_data(records, start=lo, end=hi)


def _answers_by_day(metadata: dict[str, str]) -> bool:
    """
    Whether a generic operation's answer depends on the day asked for: a ``date`` parameter picks
    it, or a time cursor pages through it. Others answer "now", whatever the day.
    """
    name = metadata.get("operation") or metadata.get("path") or ""
    op = _core.find_operation(name)
    if op is None:
        return True  # the request itself reports what is wrong
    paging = op["paging"]
    return paging["daily"] or paging["style"] == "cursor"


def _download_once(client: _core.UwRestClient, metadata: dict[str, str], catalog: ParquetDataCatalog) -> dict[str, int]:
    # Fetched again on every run: the answer is the operation's current one, stamped with its time.
    records = client.history("UwApiResponse", list(metadata.items()), None, None, 0, True)
    if records:
        catalog.write_data(records)
    return {"days": 1, "skipped": 0, "records": len(records), "unreadable": 0}


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
    *,
    base_url: str,
    on_unreadable: Callable[[date, int, list[str]], None] | None = None,
) -> dict[str, int]:
    """
    Download ``type_name`` history for each trading day in ``[start, end]`` into the catalog.

    A row of UW's answers that cannot be read is skipped, not the day: ``on_unreadable(day,
    count, first_errors)`` hears of it (each error names its request, row and field), or, without
    it, a ``UwSkippedRowsWarning``.

    ``UwApiResponse`` (any documented operation, ``metadata["operation"]``) goes day by day when the
    operation takes a ``date`` or pages by time; otherwise its current answer is fetched once.

    ``base_url`` is the server ``client`` talks to (the client does not say): the finished days are
    remembered per server, type and filters (``download_key``). Returns counts: ``days`` fetched
    now, ``skipped`` (already done), ``records`` written, ``unreadable`` rows skipped.
    """
    data_type_by_name(type_name)
    catalog_path = Path(catalog_path)
    catalog_path.mkdir(parents=True, exist_ok=True)
    catalog = ParquetDataCatalog(str(catalog_path))
    if type_name == "UwApiResponse" and not _answers_by_day(metadata):
        return _download_once(client, metadata, catalog)
    key = download_key(base_url, type_name, metadata)
    state = _load_state(catalog_path)
    done = state.get(key)
    if not isinstance(done, list):
        done = state[key] = []
    counts: Counter = Counter()
    days = trading_days(start, end, include_weekends)
    for day in progress(days, desc=f"{type_name} {dict(metadata) or ''}".strip(), enabled=show_progress):
        if day.isoformat() in done:
            counts["skipped"] += 1
            continue
        lo, hi = day_bounds_ns(day)
        if on_unreadable is None:
            records = client.history(type_name, list(metadata.items()), lo, hi, 0, True)
        else:
            unreadable: list[tuple[int, list[str]]] = []
            records = client.history(type_name, list(metadata.items()), lo, hi, 0, True, unreadable)
            for count, errors in unreadable:
                counts["unreadable"] += count
                on_unreadable(day, count, errors)
        records.sort(key=lambda r: (r.ts_init, r.ts_event))
        if records:
            _write_day(catalog, records, lo, hi)
        # A day still in progress (or yet to come) is fetched again next time (the rewrite replaces
        # its file); a past day is finished even when empty.
        if hi < pd.Timestamp.now(tz=NEW_YORK).value:
            done.append(day.isoformat())
            _save_state(catalog_path, state)
        counts["days"] += 1
        counts["records"] += len(records)
        if on_day is not None:
            on_day(day, len(records))
    return {k: counts[k] for k in ("days", "skipped", "records", "unreadable")}


def download_full_tape(
    client: _core.UwRestClient,
    start: date,
    end: date,
    catalog_path: str | Path,
    batch_size: int = 100_000,
    show_progress: bool = True,
    on_batch: Callable[[date, int], None] | None = None,
    include_weekends: bool = False,
    *,
    base_url: str,
) -> dict[str, int]:
    """
    Download UW's full tape of each trading day in ``[start, end]`` into the catalog as
    ``UwOptionTrade`` records (docs/uw-api.md#rest-full-tape).

    A day's tape is gigabytes: it is decoded while it downloads and written ``batch_size`` records
    at a time, so memory holds about two batches, never the day. Finished days are remembered like
    ``download``'s (a broken-off day is fetched again whole). Returns counts: ``days`` fetched now,
    ``skipped``, ``records`` and ``batches`` written.
    """
    catalog_path = Path(catalog_path)
    catalog_path.mkdir(parents=True, exist_ok=True)
    catalog = ParquetDataCatalog(str(catalog_path))
    key = download_key(base_url, "UwOptionTrade", {"full_tape": "true"})
    state = _load_state(catalog_path)
    done = state.get(key)
    if not isinstance(done, list):
        done = state[key] = []
    counts: Counter = Counter()
    for day in progress(trading_days(start, end, include_weekends), desc="full tape", enabled=show_progress):
        if day.isoformat() in done:
            counts["skipped"] += 1
            continue
        for batch in client.full_tape(day.isoformat(), batch_size, True):
            batch.sort(key=lambda r: (r.ts_init, r.ts_event))
            catalog.write_data(batch)
            counts["batches"] += 1
            counts["records"] += len(batch)
            if on_batch is not None:
                on_batch(day, len(batch))
        # UW publishes a day's tape once the day is over: a tape fetched is final.
        done.append(day.isoformat())
        _save_state(catalog_path, state)
        counts["days"] += 1
    return {k: counts[k] for k in ("days", "skipped", "records", "batches")}


def received_at_ns(text: str) -> int:
    """
    A recording's ``received_at`` in UNIX nanoseconds; a time without a zone is UTC.
    """
    ts = pd.Timestamp(text)
    return (ts if ts.tzinfo else ts.tz_localize("UTC")).value


def replay_to_catalog(recording: str | Path, catalog_path: str | Path) -> Counter:
    """
    Decode a JSONL recording (``{"received_at", "frame"}`` per line) through the Rust parser and
    write the records to the catalog, stamped with their arrival times. Returns counts per type.

    Raises ``RecordingError`` (a ``ValueError``) naming the file and line when the recording is not one,
    and ``CatalogOverlapError`` (a ``ValueError``), before writing anything, when the catalog
    already holds records of a type and instrument over a span the recording's overlaps without
    being the very same one (NautilusTrader keeps those spans disjoint; the same span is the
    same recording replayed again, and left as it is).
    """
    counts: Counter = Counter()
    records = []
    for number, frame, received_at in recording_rows(recording):
        if received_at is None:
            raise RecordingError(f'{recording}:{number}: no "received_at" time, which the catalog needs')
        try:
            ts_init = received_at_ns(received_at)
        except ValueError:
            raise RecordingError(f'{recording}:{number}: "received_at" {received_at!r} is not a time') from None
        try:
            decoded = _core.parse_ws_frame(frame, ts_init=ts_init)
        except _core.UwParseError as e:
            counts[f"error:{e.kind}"] += 1
            continue
        for obj in decoded:
            counts[type(obj).__name__] += 1
            records.append(obj)
    if records:
        records.sort(key=lambda r: r.ts_init)
        catalog = ParquetDataCatalog(str(catalog_path))
        _refuse_overlaps(catalog, catalog_path, records)
        catalog.write_data(records)
    return counts


class CatalogOverlapError(CliError, ValueError):
    """
    Records a catalog cannot take: it holds the same type and instrument over an overlapping span.
    """


def _refuse_overlaps(catalog: ParquetDataCatalog, catalog_path: str | Path, records: list) -> None:
    # Checked for every file before the first is written: NautilusTrader checks each as it writes
    # it, so a clash found there leaves the catalog with part of the recording.
    spans: dict[tuple[type, str | None], list[int]] = {}
    for r in records:  # ts_init order
        span = spans.setdefault((type(r), _catalog_identifier(r)), [r.ts_init, r.ts_init])
        span[1] = r.ts_init
    for (cls, identifier), (start, end) in spans.items():
        for lo, hi in catalog.get_intervals(cls, identifier):
            if lo <= end and start <= hi and (lo, hi) != (start, end):
                of = f" of {identifier}" if identifier else ""
                raise CatalogOverlapError(
                    f"{catalog_path} already holds {cls.__name__}{of} from {_utc(lo)} to {_utc(hi)}, which the "
                    f"recording's {_utc(start)} to {_utc(end)} overlaps; NautilusTrader's catalog keeps those "
                    "spans disjoint, so nothing was written: replay into a new catalog",
                )


def _catalog_identifier(record: object) -> str | None:
    # The directory NautilusTrader's write_data files a record under.
    if hasattr(record, "bar_type"):
        return str(record.bar_type)
    instrument_id = getattr(record, "instrument_id", None)
    return None if instrument_id is None else instrument_id.value


def _utc(nanos: int) -> str:
    return pd.Timestamp(nanos, unit="ns", tz="UTC").isoformat()


def record(
    subscriptions: list[tuple[str, dict[str, str]]],
    seconds: float,
    out_dir: str | Path,
    url: str | None = None,
    api_key: str | None = None,
    venue: str = _core.DEFAULT_VENUE,
    show_progress: bool = False,
) -> Counter:
    """
    Stream the given subscriptions for ``seconds``: raw frames with arrival times go to
    ``<out_dir>/frames.jsonl`` (replayable), typed records to ``<out_dir>/catalog``.

    Returns counts per type plus ``frames``, ``parse_errors`` and ``interrupted`` (1 when Ctrl-C
    ended the recording early; what arrived is kept). Raises ``ConnectionError`` when UW refuses the
    token, when the first connection fails (nothing listening, unknown host) or when none is made in
    time; later drops are retried by the feed and reported on stderr. ``show_progress`` draws the
    frames received so far on stderr once a second.
    """
    for type_name, _ in subscriptions:
        data_type_by_name(type_name)
    url = url or _core.UW_WS_URL
    where = url.partition("?")[0]  # a token may ride in the query string
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    records: list = []
    counts: Counter = Counter()
    connection: dict = {"up": False, "failure": None}
    held_warnings: list[str] = []
    # The feed's status reports tell a refused token or an unreachable server from a quiet stream;
    # they go into the catalog only when asked for.
    keep_status = any(type_name == "UwFeedStatus" for type_name, _ in subscriptions)

    def on_status(status: types.UwFeedStatus) -> None:
        if connection["failure"] is not None:
            return  # the first failure is the reason; closing the feed reports more
        # A connection accepted and lost before the status subscription below reached the feed
        # shows only the loss: the count of accepted upgrades says it was up.
        if status.status == "connected" or (feed.is_running and feed.stats()["connects"] > 0):
            connection["up"] = True
        if status.status == "not_entitled":
            code = re.search(r"HTTP \d{3}", status.detail or "")
            connection["failure"] = (
                f"UW refused the token ({code.group(0) if code else 'HTTP 401'} on {where}): it is wrong or "
                "expired, or the plan has no WebSocket access (UW's Advanced plan)"
            )
        elif status.status in ("reconnecting", "disconnected") and not connection["up"]:
            # Retrying a first connection that failed would only repeat the same error until time is up.
            reason = (status.detail or status.status).split("; reconnecting")[0]
            connection["failure"] = f"could not connect to {where}: {reason}"

    def on_batch(objects: list, routes: list, logs: list) -> None:
        for obj in objects:
            if isinstance(obj, types.UwFeedStatus):
                on_status(obj)
                if not keep_status:
                    continue
            records.append(obj)
        # Before the first connection a warning is the failure itself, which the caller reports.
        held_warnings.extend(message for level, message in logs if level >= 30)
        if connection["up"] and connection["failure"] is None and held_warnings:
            end_status_line()
            for message in held_warnings:
                print(message, file=sys.stderr)
            held_warnings.clear()

    async def wait() -> None:
        started = loop.time()
        deadline = started + seconds
        next_draw = started
        while connection["failure"] is None and loop.time() < deadline:
            if show_progress and loop.time() >= next_draw:
                elapsed = f"{loop.time() - started:.0f}s/{seconds:g}s"
                if connection["up"]:
                    show_status(f"recording {elapsed}: {feed.stats()['frames']:,} frames, {len(records):,} records")
                else:
                    show_status(f"recording {elapsed}: connecting to {where}")
                next_draw += 1.0
            await asyncio.sleep(max(0.0, min(0.05, deadline - loop.time())))

    feed = _core.UwLiveFeed(url=url, api_key=api_key, venue=venue, record_path=str(out / "frames.jsonl"))
    feed.start(loop, on_batch)
    interrupted = False
    try:
        if not keep_status:
            feed.subscribe("UwFeedStatus", [])
        for type_name, metadata in subscriptions:
            feed.subscribe(type_name, list(metadata.items()))
        waiting = loop.create_task(wait())
        try:
            loop.run_until_complete(waiting)
        except KeyboardInterrupt:
            # Ctrl-C is how a long recording is ended early: what arrived so far is still written.
            waiting.cancel()
            interrupted = True
    finally:
        if show_progress:
            end_status_line()
        stats = feed.stats()
        feed.close()
        loop.run_until_complete(_deliver_the_rest(feed))
        loop.close()
    for obj in records:
        counts[type(obj).__name__] += 1
    if records:
        records.sort(key=lambda r: r.ts_init)
        ParquetDataCatalog(str(out / "catalog")).write_data(records)
    failure = connection["failure"]
    if failure is None and not connection["up"] and not stats["connects"] and not interrupted:
        failure = f"no connection to {where} within {seconds:g}s"
    if failure is not None:
        if stats["frames"]:
            failure += f" (after {stats['frames']} frames, kept in {out})"
        raise ConnectionError(failure)
    counts["frames"] = stats["frames"]
    counts["parse_errors"] = stats["parse_errors"]
    counts["interrupted"] = int(interrupted)
    return counts


async def _deliver_the_rest(feed, limit_secs: float = 10.0) -> None:
    # Every record of frames.jsonl belongs in the catalog too: after the close, the loop delivers
    # what the feed still held, however long a loaded machine takes for it.
    deadline = asyncio.get_running_loop().time() + limit_secs
    while not feed.drained and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)


DAY_FORMS = "expected YYYY-MM-DD, today or -N (N days ago)"


def parse_day(text: str) -> date:
    """
    ``YYYY-MM-DD``, ``today`` or ``-N`` (N days ago), New York time.

    Raises ``ValueError`` quoting ``text`` and naming the accepted forms.
    """
    today = pd.Timestamp.now(tz=NEW_YORK).date()
    text = text.strip()
    if text == "today":
        return today
    if text.startswith("-") and text[1:].isdigit():
        return today - timedelta(days=int(text[1:]))
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            # The right form with an impossible value: say which part is wrong.
            raise ValueError(f"{text!r} is not a date ({e})") from None
        raise ValueError(f"{text!r}: {DAY_FORMS}") from None
