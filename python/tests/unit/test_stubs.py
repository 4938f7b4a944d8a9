"""
The type stub ``_core.pyi`` says what the extension does: mypy's stubtest compares every name,
parameter and default with the runtime, and the defaults the runtime's signatures cannot show (pyo3
prints a Rust expression as ``...``) and the record constructors (``**kwargs`` at runtime) are
checked against what the extension does with them.
"""

import ast
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from nautilus_trader_uw import _core

from ..conftest import TEST_DATA
from ..conftest import ws_fixture_frames


ROOT = Path(__file__).resolve().parents[3]
STUB = ROOT / "nautilus_trader_uw" / "_core.pyi"
DETAIL_PATH = "/api/option-trades/flow-alerts/ae47f719-7131-4816-b9f5-8bd35de90ddc"


def _stub_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """
    Every signature in the stub by qualified name (``parse_ws_frame``, ``UwLiveFeed.__new__``).
    """
    found: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                is_property = isinstance(item, ast.FunctionDef) and any(
                    isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
                )
                if isinstance(item, ast.FunctionDef) and not is_property:
                    found[f"{node.name}.{item.name}"] = item
    return found


def _runtime_signature(qualname: str) -> inspect.Signature:
    # A pyo3 class carries its constructor's signature.
    obj: object = _core
    for part in qualname.removesuffix(".__new__").split("."):
        obj = getattr(obj, part)
    return inspect.signature(obj)


def _hidden_default_slots(tree: ast.Module) -> dict[tuple[str, str], tuple[list, int]]:
    """
    Where the stub's default sits (its list in the ``ast.arguments`` and the index) for each
    parameter whose runtime default pyo3 shows as ``...``.
    """
    slots = {}
    for qualname, node in _stub_functions(tree).items():
        args = node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        first_default = len(positional) - len(args.defaults)
        for param in _runtime_signature(qualname).parameters.values():
            if param.default is not Ellipsis:
                continue
            if param.name in positional:
                slot = (args.defaults, positional.index(param.name) - first_default)
            else:
                slot = (args.kw_defaults, [a.arg for a in args.kwonlyargs].index(param.name))
            assert slot[1] >= 0 and slot[0][slot[1]] is not None, f"{qualname}({param.name}): the stub has no default"
            slots[qualname, param.name] = slot
    return slots


def test_stubtest_finds_the_stub_and_the_extension_alike(tmp_path):
    assert importlib.util.find_spec("mypy"), "mypy is needed: pip install -e '.[test]'"
    tree = ast.parse(STUB.read_text())
    # stubtest would compare the real default in the stub with the runtime's `...`: those are
    # checked by the test below instead, and only those are hidden from stubtest.
    hidden = _hidden_default_slots(tree)
    assert hidden, "the extension shows `...` for some defaults (venue, url)"
    for defaults, index in hidden.values():
        defaults[index] = ast.Constant(...)
    # The repository's stub, found before the installed package's through mypy_path.
    package = tmp_path / "stubs" / "nautilus_trader_uw"
    package.mkdir(parents=True)
    (package / "__init__.pyi").write_text("")
    (package / "_core.pyi").write_text(ast.unparse(ast.fix_missing_locations(tree)))
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        f"mypy_path = {tmp_path / 'stubs'}\n"
        f"cache_dir = {tmp_path / 'cache'}\n"
        # NautilusTrader ships no type information for its Cython classes.
        "[mypy-nautilus_trader.*]\n"
        "ignore_missing_imports = True\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "--concise",
            "--mypy-config-file",
            str(config),
            "nautilus_trader_uw._core",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\n(regenerate with python scripts/gen_stub.py)"


def test_defaults_the_runtime_signatures_hide_are_what_the_extension_does():
    slots = _hidden_default_slots(ast.parse(STUB.read_text()))
    hidden = {key: ast.literal_eval(defaults[index]) for key, (defaults, index) in slots.items()}
    observed = {}

    [alert] = _core.parse_ws_frame(ws_fixture_frames()[0])
    observed["parse_ws_frame", "venue"] = alert.instrument_id.venue.value
    detail = (TEST_DATA / "http_get_flow_alert_detail.jsonl").read_text().splitlines()[0]
    [alert, *_] = _core.parse_rest_response(DETAIL_PATH, detail)
    observed["parse_rest_response", "venue"] = alert.instrument_id.venue.value
    trade = next(o for f in ws_fixture_frames() for o in _core.parse_ws_frame(f) if type(o).__name__ == "UwOptionTrade")
    [bar] = _core.flow_bars([trade], {"ticker": trade.underlying_symbol, "every": 1})
    observed["flow_bars", "venue"] = bar.instrument_id.venue.value

    token = "test-token-in-no-url"
    feed = repr(_core.UwLiveFeed(api_key=token))
    feed_url = feed.split('url="', 1)[1].split('"', 1)[0]
    assert feed_url.endswith("?token=***"), feed
    observed["UwLiveFeed.__new__", "url"] = feed_url.removesuffix("?token=***")
    observed["UwLiveFeed.__new__", "venue"] = feed.split('venue="', 1)[1].split('"', 1)[0]
    rest = repr(_core.UwRestClient(api_key=token))
    observed["UwRestClient.__new__", "base_url"] = rest.split('base_url="', 1)[1].split('"', 1)[0]

    with _core.UwSimServer() as sim:
        observed["UwSimServer.__new__", "token"] = sim.token
        observed["UwSimServer.__new__", "host"] = urlparse(sim.ws_url).hostname
        sim.inject_http_body(detail)
        client = _core.UwRestClient(base_url=sim.http_url, api_key=sim.token)
        [alert, *_] = client.get(DETAIL_PATH)
        observed["UwRestClient.__new__", "venue"] = alert.instrument_id.venue.value

    # The numeric settings' defaults are the constants of one Rust table (common/settings.rs) that
    # the signatures, the Rust configs and UnusualWhalesDataClientConfig all read.
    settings = _core.setting_defaults()
    from_table = {key for key in hidden if key[1] in settings and key not in observed}
    for key in from_table:
        assert hidden[key] == settings[key[1]] and hidden[key] is not None, f"{key}: {hidden[key]}"
    assert set(hidden) == set(observed) | from_table, "each default the signatures hide has a check here"
    assert {key: hidden[key] for key in observed} == observed


def _sample(annotation: str) -> object:
    return {"str": "x", "int": 1, "float": 1.5, "bool": True}[annotation]


def test_record_constructors_require_and_default_what_the_stub_says():
    tree = ast.parse(STUB.read_text())
    records = [n for n in tree.body if isinstance(n, ast.ClassDef) and hasattr(getattr(_core, n.name), "_field_specs")]
    assert len(records) == sum(hasattr(getattr(_core, n), "_field_specs") for n in _core.__all__)
    for node in records:
        cls = getattr(_core, node.name)
        new = _stub_functions(tree)[f"{node.name}.__new__"]
        assert not new.args.args[1:] and new.args.kwarg is None, f"{node.name}: keywords only, as at runtime"
        fields = dict(zip([a.arg for a in new.args.kwonlyargs], new.args.kw_defaults, strict=True))
        annotations = {a.arg: ast.unparse(a.annotation) for a in new.args.kwonlyargs}
        required = {name: _sample(annotations[name]) for name, default in fields.items() if default is None}
        obj = cls(**required)
        for name, default in fields.items():
            if default is not None and name != "instrument_id":  # the Data subclass holds the id
                assert getattr(obj, name) == ast.literal_eval(default), f"{node.name}.{name}"
        for name in required:
            with pytest.raises(TypeError, match=f"missing required field '{name}'"):
                cls(**{k: v for k, v in required.items() if k != name})
