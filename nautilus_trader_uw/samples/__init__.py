"""
Sample UW data shipped with the package: frames UW published in its public API examples.

``uw_ws_2025-05-16.jsonl`` holds 60 real WebSocket frames recorded on 2025-05-16 (flow-alerts,
option_trades:TSLA, gex:SPY/QQQ/IWM with their join acknowledgements), one JSON object per line:
``received_at`` (the recorder's local wall clock, no zone) and ``frame`` (the raw text frame).
"""

from importlib import resources
from pathlib import Path


def sample_recording_path() -> Path:
    """
    Return the path of the bundled 2025-05-16 WebSocket recording.
    """
    return Path(str(resources.files(__name__).joinpath("uw_ws_2025-05-16.jsonl")))
