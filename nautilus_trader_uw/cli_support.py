"""
Helpers for the command line: errors worded for the user, reading and decoding JSONL recordings,
a status line and a progress bar (tqdm, which NautilusTrader already depends on) on stderr.

``cli`` and the commands it runs (``demo``, ``history``) import this module, never each other's.
"""

import contextlib
import json
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from nautilus_trader_uw import _core


T = TypeVar("T")

RECORDING_FORM = 'one {"received_at": ..., "frame": ...} object per line'


class CliError(Exception):
    """
    A failure the user can fix, already worded for the command line: ``uw-nt`` prints the message
    alone, without a traceback.
    """


class RecordingError(CliError, ValueError):
    """
    A recording that cannot be read; the message names the file (and the line, when one is at fault).
    """


@contextlib.contextmanager
def removed_if_left_empty(*paths: str | Path) -> Iterator[None]:
    """
    Removes, when the block raises, each of ``paths`` that did not exist before it and holds no
    data after it (an empty file, or a directory of only empty files and directories), so that a
    failed command leaves nothing a later run or a catalog reader would mistake for output. What
    existed before, or holds a byte, is never touched.
    """
    new = [Path(p) for p in paths if not Path(p).exists()]
    try:
        yield
    except BaseException:
        for path in new:
            if _holds_no_data(path):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise


def _holds_no_data(path: Path) -> bool:
    if path.is_symlink() or not path.exists():
        return False
    if path.is_file():
        return path.stat().st_size == 0
    return all(
        not child.is_symlink() and (child.is_dir() or (child.is_file() and child.stat().st_size == 0))
        for child in path.rglob("*")
    )


def recording_rows(path: str | Path, raw_frames: bool = False) -> Iterator[tuple[int, str, str | None]]:
    """
    Yield ``(line number, frame, received_at or None)`` for each non-empty line of a JSONL recording.

    With ``raw_frames`` the file may instead hold one raw UW frame per line, which its first line
    decides (anything but a recording line): then every line is a frame, however malformed, and
    the parser says what is wrong with it (``uw-nt parse`` counts it), as it would for a frame off
    the socket.
    Raises ``RecordingError`` for a missing, unreadable or empty file and for a line that is not a
    recording line.
    """
    path = Path(path)
    try:
        f = path.open("rb")
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{path}: is a directory, not a recording file") from None
    except OSError as e:
        raise RecordingError(f"{path}: cannot be read: {e.strerror}") from None
    rows = 0
    frames_file: bool | None = None if raw_frames else False
    with f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise RecordingError(f"{path}:{number}: not UTF-8 text; a recording holds {RECORDING_FORM}") from None
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                if frames_file is False:
                    raise RecordingError(
                        f"{path}:{number}: not JSON ({e.msg}, column {e.colno}); a recording holds {RECORDING_FORM}",
                    ) from None
                row = None
            if frames_file is None:
                frames_file = not (isinstance(row, dict) and isinstance(row.get("frame"), str))
            if frames_file:
                frame, received_at = line, None
            elif isinstance(row, dict) and isinstance(row.get("frame"), str):
                frame, received_at = row["frame"], row.get("received_at")
                if received_at is not None and not isinstance(received_at, str):
                    raise RecordingError(f'{path}:{number}: "received_at" is not a time string')
            else:
                raise RecordingError(f'{path}:{number}: no "frame" string; a recording holds {RECORDING_FORM}')
            rows += 1
            yield number, frame, received_at
    if not rows:
        raise RecordingError(f"{path}: empty; a recording holds {RECORDING_FORM}")


def _load_recording(path: Path) -> list[str]:
    """
    Frames from a JSONL recording (``{"frame": ...}`` per line) or a file of raw frames per line.
    """
    return [frame for _, frame, _ in recording_rows(path, raw_frames=True)]


def decode_recording(path: Path) -> tuple[list, Counter]:
    """
    Decode every frame of a recording; return the Data objects (sorted by event time) and counts.

    Records are stamped ``ts_init = ts_event``: a recording's wall clock has no time zone.
    """
    records = []
    counts: Counter = Counter()
    for frame in _load_recording(path):
        try:
            decoded = _core.parse_ws_frame(frame, ts_init=0)
        except _core.UwParseError as e:
            counts[f"error:{e.kind}"] += 1
            continue
        if not decoded:
            counts["ack"] += 1
        for obj in decoded:
            counts[type(obj).__name__] += 1
            records.append(type(obj).from_dict({**obj.to_dict(), "ts_init": obj.ts_event}))
    records.sort(key=lambda r: r.ts_init)
    return records, counts


def check_recording(path: str | Path) -> None:
    """
    Read the whole recording so a bad line fails here, named, before anything starts.
    """
    for _ in recording_rows(path):
        pass


# Whether the cursor on stderr sits at the end of a status line that the next message must not
# be glued to.
_status_line_open = False
_status_width = 0


def show_status(text: str) -> None:
    """
    Draw ``text`` over the current status line on stderr.
    """
    global _status_line_open, _status_width
    padding = " " * max(0, _status_width - len(text))
    print(f"\r{text}{padding}", end="", file=sys.stderr, flush=True)
    _status_line_open = True
    _status_width = len(text)


def end_status_line() -> None:
    """
    Finish an open status line, so that what is printed next starts on a line of its own.
    """
    global _status_line_open, _status_width
    if _status_line_open:
        print(file=sys.stderr, flush=True)
    _status_line_open = False
    _status_width = 0


def progress(items: Iterable[T], desc: str = "", enabled: bool = True) -> Iterator[T]:
    """
    Yield ``items`` while tqdm draws a progress bar on stderr (when ``enabled``); the bar is closed,
    ending its line, also when the caller stops early or fails.
    """
    with tqdm(items, desc=desc, disable=not enabled, file=sys.stderr, leave=True) as bar:
        yield from bar


def operation_lines(tag: str | None = None, name: str | None = None) -> list[str]:
    """
    One line per UW operation (of ``tag``, with ``name`` in its name, both matched without regard
    to case): its short name, path, the record type it arrives as or the channel its page
    documents, its required parameters, and ``[plan]`` where UW's document states a plan
    requirement.

    Raises ``CliError`` for a tag no operation has, or a name no operation (of the tag) contains.
    """
    ops = _core.operations()
    if tag:
        ops = [op for op in ops if op["tag"].casefold() == tag.casefold()]
        if not ops:
            tags = sorted({op["tag"] for op in _core.operations()})
            raise CliError(f"no operation is tagged {tag!r}; tags: {', '.join(tags)}")
    if name:
        ops = [op for op in ops if name.casefold() in op["name"].casefold()]
        if not ops:
            scope = f" tagged {tag!r}" if tag else ""
            raise CliError(f"no operation{scope} has {name!r} in its name; `uw-nt operations` lists them")
    lines = []
    for op in ops:
        required = [p["name"] for p in op["params"] if p["required"]]
        target = f"channel {op['channel']}" if op["channel"] else op["record_type"]
        needs = f"  needs {', '.join(required)}" if required else ""
        plan = "  [plan]" if op["plan"] else ""
        lines.append(f"{op['name']:<52} {op['path']:<58} {target}{needs}{plan}")
    return lines
