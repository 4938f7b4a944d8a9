"""
Flow bars from stored option prints: the same Rust aggregator the live feed runs, over a
recording of the live feed or a catalog, so research sees the bars a strategy saw.

``_core.flow_bars`` does the summing; this module finds the prints. A recording gives the prints in
the order they arrived, which is what the live aggregator saw (late prints included), and each
arrival replays the live flush of quiet intervals: the bars computed from it are the bars the live
feed delivered while recording, print for print. The limits: a bar the live feed closed on its
grace period is built, here, at the instant the grace ran out (live, by the flush that runs every
10 ms, up to 10 ms later, and a print arriving within those 10 ms can fall either side); a
recording keeps WebSocket frames, so prints a back-fill fetched after a reconnect are not in it,
and the bars around a reconnect (whose live prints a back-fill held and sorted) can differ. A
catalog (``uw-nt download --type UwOptionTrade`` or ``uw-nt record``) returns its rows in no set
order, so its prints are taken in event-time order, prints of one millisecond by arrival
(``ts_init``) then by UW's trade id: the same prints give the same bars however they are stored, and
a catalog of ``uw-nt record`` gives the bars of its recording.
"""

import re
from pathlib import Path

from nautilus_trader_uw import _core
from nautilus_trader_uw.cli_support import RecordingError
from nautilus_trader_uw.cli_support import recording_rows
from nautilus_trader_uw.history import received_at_ns
from nautilus_trader_uw.types import UwFlowBar
from nautilus_trader_uw.types import UwOptionTrade


_OPTION_TRADES = "option_trades"
# The channel is the first element of UW's `[channel, payload]` frame; reading it from the head
# of the text spares decoding every other channel's frames twice.
_CHANNEL = re.compile(r'\s*\[\s*"([^"]{1,64})"')


def _channel_of(frame: str) -> str | None:
    match = _CHANNEL.match(frame)
    return match.group(1) if match else None


def recorded_prints(recording: str | Path, ticker: str) -> list[UwOptionTrade]:
    """
    The option prints of ``ticker`` in a recording, in arrival order, stamped with their arrival
    (``ts_init`` = the line's ``received_at``).

    They are the prints the live flow bars counted: those of the ticker's own
    ``option_trades:<TICKER>`` channel when the recording has it, else the ticker's prints on the
    all-tickers ``option_trades`` channel (never both, which would count every print twice).

    Raises ``RecordingError`` (a ``ValueError``) naming the file and line when the recording is not
    one, or a line of an option-print channel has no ``received_at``.
    """
    ticker = ticker.strip().upper()
    own, shared = [], []
    own_channel = f"{_OPTION_TRADES}:{ticker}"
    for number, frame, received_at in recording_rows(recording):
        channel = _channel_of(frame)
        if channel not in (own_channel, _OPTION_TRADES):
            continue
        if received_at is None:
            raise RecordingError(f'{recording}:{number}: no "received_at" time, which flow bars need')
        try:
            ts_init = received_at_ns(received_at)
        except ValueError:
            raise RecordingError(f'{recording}:{number}: "received_at" {received_at!r} is not a time') from None
        try:
            decoded = _core.parse_ws_frame(frame, ts_init=ts_init)
        except _core.UwParseError:
            continue  # the live feed dropped (and counted) it too
        target = own if channel == own_channel else shared
        target.extend(p for p in decoded if isinstance(p, UwOptionTrade))
    if own:
        return own
    return [p for p in shared if p.underlying_symbol.upper() == ticker]


def flow_bars_from_recording(
    recording: str | Path,
    metadata: dict[str, object],
    venue: str = "SMART",
) -> list[UwFlowBar]:
    """
    The ``UwFlowBar`` s a subscription with ``metadata`` gets from a recording of the live feed
    (``record_path`` of the client config, or ``uw-nt record``): the bars the live feed delivered
    while recording, then the last time bar closed at the end of the recording.

    Raises ``UwFlowBarSpecError`` for bad metadata and ``RecordingError`` for a bad recording.
    """
    spec = _core.flow_bar_spec(metadata)
    prints = recorded_prints(recording, spec["ticker"])
    return _core.flow_bars(prints, metadata, venue, as_arrived=True)


def flow_bars_from_catalog(
    catalog_path: str | Path,
    metadata: dict[str, object],
    start: object | None = None,
    end: object | None = None,
    venue: str = "SMART",
) -> list[UwFlowBar]:
    """
    The ``UwFlowBar`` s a subscription with ``metadata`` gives over the ``UwOptionTrade`` prints of
    a ParquetDataCatalog (between ``start`` and ``end``, as ``ParquetDataCatalog.query`` takes
    them), in event-time order; equal times by arrival (``ts_init``), then by UW's trade id.

    Raises ``UwFlowBarSpecError`` for bad metadata and ``ValueError`` when the directory holds no
    catalog.
    """
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    _core.flow_bar_spec(metadata)
    path = Path(catalog_path)
    if not path.is_dir():
        raise ValueError(f"{path}: no such catalog directory")
    prints = ParquetDataCatalog(str(path)).query(UwOptionTrade, start=start, end=end)
    return _core.flow_bars(prints, metadata, venue)
