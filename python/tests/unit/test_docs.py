"""
The files generated from the extension (the package's Data types, the Data-type reference, the
stub) match the extension.
"""

import inspect
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]


def assert_generated_file_is_current(script: str) -> None:
    """
    ``scripts/<script> --check``: what the script would write equals what is checked in.
    """
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_package_types_are_the_registry_s():
    assert_generated_file_is_current("gen_types.py")
    import nautilus_trader_uw
    from nautilus_trader_uw import _core

    names = list(_core.record_type_names())
    assert [t.__name__ for t in nautilus_trader_uw.ALL_TYPES] == names
    for name in names:
        cls = getattr(nautilus_trader_uw, name)
        assert name in nautilus_trader_uw.__all__
        assert issubclass(cls, getattr(_core, name)), f"{name} is the extension's record"
        assert inspect.cleandoc(cls.__doc__) == inspect.cleandoc(getattr(_core, name).__doc__), f"{name} documentation"


def test_data_type_reference_is_up_to_date():
    assert_generated_file_is_current("gen_type_docs.py")


def test_core_stub_is_up_to_date_and_covers_every_export():
    assert_generated_file_is_current("gen_stub.py")
    from nautilus_trader_uw import _core

    stub = (ROOT / "nautilus_trader_uw" / "_core.pyi").read_text()
    for name in dir(_core):
        if not name.startswith("_"):
            assert name in stub, f"_core.{name} is missing from _core.pyi"


def test_the_type_count_the_readme_and_the_guide_give_is_the_package_s():
    import re

    import nautilus_trader_uw

    count = len(nautilus_trader_uw.ALL_TYPES)
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "integration.md").read_text()
    assert re.findall(r"\.\.\. (\d+) in all", readme) == [str(count)]
    assert re.findall(r"^- (\d+) `Data` types", guide, flags=re.MULTILINE) == [str(count)]
