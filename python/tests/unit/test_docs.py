"""
The generated Data-type reference matches the types.
"""

import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]


def test_data_type_reference_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_type_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_core_stub_is_up_to_date_and_covers_every_export():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_stub.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from nautilus_trader_uw import _core

    stub = (ROOT / "nautilus_trader_uw" / "_core.pyi").read_text()
    for name in dir(_core):
        if not name.startswith("_"):
            assert name in stub, f"_core.{name} is missing from _core.pyi"
