"""
Every GET operation of UW's OpenAPI document is reachable: the adapter's operation table is the
document's (regenerated and compared), each REST operation has a record type (typed where the
registry has an endpoint of its path, else ``UwApiResponse``), each WebSocket page names a channel
the adapter joins, every response example of the document decodes without losing a field, and the
simulator answers every operation with data valid for its response schema.
"""

import base64
import io
import json
import re
import subprocess
import sys
import urllib.parse
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from nautilus_trader_uw import UwApiResponse
from nautilus_trader_uw import _core


ROOT = Path(__file__).resolve().parents[3]
OPENAPI_DOC = ROOT.parent / "shared" / "uw-api" / "openapi.yaml"

yaml = pytest.importorskip("yaml")
pytestmark = pytest.mark.skipif(not OPENAPI_DOC.exists(), reason=f"UW's OpenAPI document is not at {OPENAPI_DOC}")


class _Loader(yaml.SafeLoader):
    pass


# Dates stay strings, as on the wire.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, r) for tag, r in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.fixture(scope="module")
def document() -> dict:
    with OPENAPI_DOC.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


def resolve(doc: dict, schema: object) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        name = urllib.parse.unquote(schema["$ref"].split("#/components/schemas/", 1)[1])
        name = name.replace("~1", "/").replace("~0", "~")
        schemas = doc["components"]["schemas"]
        schema = schemas.get(name) or schemas[name.strip()]
    return schema if isinstance(schema, dict) else {}


def get_operations(doc: dict) -> list[tuple[str, dict]]:
    return [(path, methods["get"]) for path, methods in doc["paths"].items() if "get" in methods]


def response_schema(doc: dict, op: dict) -> dict | None:
    content = ((op.get("responses") or {}).get("200") or {}).get("content") or {}
    if "application/json" not in content:
        return None
    return resolve(doc, content["application/json"].get("schema", {}))


def schema_errors(doc: dict, schema: object, value: object, where: str = "$") -> list[str]:
    """
    Where ``value`` does not have the JSON types ``schema`` declares (types, nullability, enums,
    object properties and array items; the document's own loose spots, `additionalProperties`, are
    accepted).
    """
    s = resolve(doc, schema)
    if value is None:
        return [] if s.get("nullable") or not s or "type" not in s else [f"{where}: null"]
    for key in ("oneOf", "anyOf"):
        if key in s:
            options = [schema_errors(doc, o, value, where) for o in s[key]]
            return [] if any(not o for o in options) else options[0]
    if "allOf" in s:
        return [e for part in s["allOf"] for e in schema_errors(doc, part, value, where)]
    kind = s.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if kind in checks and not checks[kind](value):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    if "enum" in s and value not in s["enum"]:
        return [f"{where}: {value!r} is not one of {s['enum']}"]
    errors = []
    if isinstance(value, dict):
        for key, sub in (s.get("properties") or {}).items():
            if key in value:
                errors += schema_errors(doc, sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in s:
        for i, item in enumerate(value[:5]):
            errors += schema_errors(doc, s["items"], item, f"{where}[{i}]")
    return errors


def test_the_operation_table_is_generated_from_the_document():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_operations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def coverage(ops: list[dict]) -> dict[str, Counter]:
    by_tag: dict[str, Counter] = {}
    for op in ops:
        counts = by_tag.setdefault(op["tag"], Counter())
        counts["operations"] += 1
        if op["channel"] or (op["path"] == "/api/socket" and op["tag"] == "websocket"):
            counts["channel"] += 1
        elif op["record_type"] == "UwApiResponse":
            counts["generic"] += 1
        else:
            counts["typed"] += 1
    return by_tag


def test_every_get_operation_of_the_document_is_reachable(document, capsys):
    ops = {op["id"]: op for op in _core.operations()}
    reachable = 0
    for path, doc_op in get_operations(document):
        op = ops.pop(doc_op["operationId"])
        assert op["path"] == path
        assert _core.find_operation(op["name"])["path"] == path
        if doc_op["tags"][0] == "websocket" and path != "/api/socket":
            # A channel page: the adapter joins the channel it documents.
            assert op["channel"] in _core.channel_names(), f"{path}: {op['channel']} is not joined"
        else:
            assert op["record_type"] in {t.__name__ for t in _all_types()}, path
        # Every documented parameter can be named in the metadata.
        assert [p["name"] for p in op["params"]] == [p["name"] for p in doc_op.get("parameters", [])]
        reachable += 1
    assert not ops, f"operations not in the document: {sorted(ops)}"
    websocket = sum(1 for _, o in get_operations(document) if o["tags"][0] == "websocket")
    assert (reachable, reachable - websocket, websocket) == (214, 197, 17)
    table = coverage(_core.operations())
    with capsys.disabled():
        print(f"\n{'tag':<24}{'operations':>11}{'typed':>7}{'generic':>9}{'channel':>9}")
        for tag, c in sorted(table.items()):
            print(f"{tag:<24}{c['operations']:>11}{c['typed']:>7}{c['generic']:>9}{c['channel']:>9}")
        total = sum(table.values(), Counter())
        print(f"{'all':<24}{total['operations']:>11}{total['typed']:>7}{total['generic']:>9}{total['channel']:>9}")


def _all_types() -> list[type]:
    from nautilus_trader_uw.types import ALL_TYPES

    return ALL_TYPES


def examples(document: dict) -> list[tuple[str, dict, object]]:
    out = []
    for path, op in get_operations(document):
        schema = response_schema(document, op)
        if schema is not None and "example" in schema:
            out.append((path, op, schema["example"]))
    return out


def typed_examples(document: dict) -> list[tuple[str, object, list]]:
    """
    The examples of typed endpoints with their typed records (the typed decoder takes what rows
    omit from the request path, as from UW).
    """
    return [
        (path, example, _core.parse_rest_response(concrete(path), json.dumps(example)))
        for path, _op, example in examples(document)
        if _core.find_operation(path)["typed_endpoint"] is not None
    ]


def test_every_response_example_decodes_into_its_record_without_losing_a_field(document):
    found = examples(document)
    assert len(found) >= 120
    for path, op, example in found:
        answer = _core.parse_api_response(op["operationId"], json.dumps(example), ts_init=1)
        assert isinstance(answer, UwApiResponse)
        # The generic record keeps UW's answer whole: every documented field, at every depth.
        assert json.loads(answer.body) == example, path
    typed = typed_examples(document)
    for path, _example, records in typed:
        assert records, f"{path}: the typed decoder found no record in UW's example"
    assert len(typed) >= 20


# Documented keys a typed record keeps under another name (the record's field, UW's other name
# for it on another endpoint or channel), or whose content it keeps in another form. Any other
# documented key of a typed endpoint's rows must be a field of its record.
RENAMED = {
    ("UwOptionTrade", "option_chain_id"): "option_symbol",
    ("UwOptionTrade", "upstream_condition_detail"): "trade_code",
    ("UwFlowAlert", "alert_rule"): "rule_name",
    ("UwFlowAlert", "type"): "option_type",
    ("UwDarkPoolTrade", "ticker"): "symbol",
    ("UwLitTrade", "ticker"): "symbol",
    ("UwEconomicEvent", "type"): "event_type",
    ("UwNewsHeadline", "created_at"): "timestamp",
    ("UwNewsHeadline", "meta"): "meta_json",
    ("UwContractScreener", "no_side_volume"): "neutral_volume",
    ("UwExpiryGreekExposure", "call_gex"): "call_gamma",
    ("UwExpiryGreekExposure", "put_gex"): "put_gamma",
    ("UwStrikeGreekExposure", "call_gex"): "call_gamma",
    ("UwStrikeGreekExposure", "put_gex"): "put_gamma",
}
KEPT_OTHERWISE = {
    # The session day of `timestamp`.
    ("UwMarketTide", "date"),
    # A day's chains are the contract's records themselves.
    ("UwContractDay", "chains"),
    # The detail answer's parts: the alert and its prints become records of both types; whether
    # more prints follow stays in UwApiResponse.
    ("UwFlowAlert", "alert"),
    ("UwFlowAlert", "trades"),
    ("UwFlowAlert", "has_more"),
    # Nested objects flattened into the quote's fields.
    ("UwStockQuote", "last_trade"),
    ("UwStockQuote", "quote"),
    ("UwStockQuote", "quote_values"),
    ("UwStockQuote", "quote_statistics"),
}


def example_rows(example: object) -> list[dict]:
    rows = example.get("data", example) if isinstance(example, dict) else example
    rows = rows if isinstance(rows, list) else [rows]
    return [row for row in rows if isinstance(row, dict)]


def test_every_documented_field_of_a_typed_answer_is_a_field_of_its_record(document):
    dropped = []
    for path, example, records in typed_examples(document):
        record = records[0]
        name = type(record).__name__
        fields = set(record.to_dict())
        for key in sorted({key for row in example_rows(example) for key in row}):
            target = RENAMED.get((name, key), key)
            if target not in fields and (name, key) not in KEPT_OTHERWISE:
                dropped.append(f"{path}: {name} has no field for UW's `{key}`")
        for (type_name, key), target in RENAMED.items():
            if type_name == name:
                assert target in fields, f"{name}.{target} (UW's `{key}`) is not a field"
    assert not dropped, "\n".join(dropped)


# Path values for UW's examples: the ticker, an OCC symbol (a contract's `{id}`), an expiry, a flow group, a day.
PATH_VALUES = {
    "ticker": "AAPL",
    "id": "AAPL240202P00185000",
    "expiry": "2024-10-28",
    "candle_size": "1m",
    "flow_group": "mag7",
    "date": "2024-10-28",
}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "X"), path)


def test_the_simulator_answers_every_operation_with_schema_valid_data(document):
    from nautilus_trader_uw.sim import UwSimServer

    with UwSimServer(rate=1.0, http_per_minute=100_000) as sim:
        client = _core.UwRestClient(base_url=sim.http_url, api_key=sim.token, requests_per_minute=100_000)
        answered = unlike_schema = 0
        for path, op in get_operations(document):
            if op["tags"][0] == "websocket":
                # A WebSocket page: refused before any request, naming how its records arrive.
                with pytest.raises(ValueError, match=r"WebSocket .*subscribe_data\(DataType\("):
                    client.history("UwApiResponse", [("operation", op["operationId"])])
                continue
            params = [(p["name"], sample_value(document, p)) for p in op.get("parameters", []) if p.get("required")]
            [answer] = client.history("UwApiResponse", [("operation", op["operationId"]), *params])
            schema = response_schema(document, op)
            if answer.body.startswith("UEsD"):
                # The full tape: a ZIP file, kept whole as base64 (its typed decoder streams it,
                # tests/integration/test_full_tape.py).
                assert zipfile.is_zipfile(io.BytesIO(base64.b64decode(answer.body))), path
            elif _core.find_operation(path)["typed_endpoint"] is not None:
                # Answered as before from UW's captured bodies, which the typed decoder reads
                # (they write some numbers as text where the schema says number).
                assert _core.parse_rest_response(answer.path, answer.body) is not None, path
            elif schema is not None:
                errors = error_places(schema_errors(document, schema, json.loads(answer.body)))
                # Where UW's own examples break its schema (an enum value it does not list, a null
                # it does not allow, a property's example of another type), the simulator answers
                # as they do, and nowhere else.
                uw_own = error_places(schema_errors(document, schema, SIM_EXAMPLES[op["operationId"]]))
                assert errors <= uw_own, f"{path}: {sorted(errors - uw_own)[:3]}"
                unlike_schema += bool(uw_own)
            answered += 1
    assert answered == 214 - 17
    assert unlike_schema < 20, "UW's examples mostly follow its schema"


# What the simulator varies: UW's example of each operation, or the schema's property examples.
SIM_EXAMPLES = {
    row["operation_id"]: row["body"]
    for row in map(json.loads, (ROOT / "crates/adapters/unusual_whales_sim/test_data/openapi_examples.jsonl").open())
    if "operation_id" in row
}


def error_places(errors: list[str]) -> set[str]:
    return {e.split(":", 1)[0] for e in errors}


def sample_value(document: dict, param: dict) -> str:
    schema = resolve(document, param.get("schema", {}))
    if param["in"] == "path" and param["name"] in ("ticker", "symbol"):
        return "SPY"
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "array":
        return sample_value(document, {"name": param["name"], "in": "query", "schema": schema.get("items", {})})
    example = param.get("example", schema.get("example"))
    if example is not None and not isinstance(example, list | dict):
        return str(example).lower() if isinstance(example, bool) else str(example)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return str(int(schema.get("minimum", 1)))
    if kind == "boolean":
        return "true"
    if schema.get("format") == "date" or re.search(r"date", param["name"]):
        return "2025-05-16"
    return "SPY"


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match='parameter "ticker" is required'):
        _core.UwRestClient(base_url="http://127.0.0.1:9", api_key="test-token-0123456789").history(
            "UwApiResponse", [("operation", "stock_ticker_volatility_realized")]
        )
    with pytest.raises(ValueError, match=r"limit=\"9999\" is invalid: the largest value is"):
        _core.UwRestClient(base_url="http://127.0.0.1:9", api_key="test-token-0123456789").history(
            "UwApiResponse", [("operation", "darkpool_recent"), ("limit", "9999")]
        )


def test_download_metadata_given_twice_adds_the_value_as_an_array_parameter_takes_it():
    from nautilus_trader_uw.cli import _merged_metadata
    from nautilus_trader_uw.cli import build_parser

    args = build_parser().parse_args(
        [
            "download", "--operation", "alerts", "--start", "2025-05-12", "--end", "2025-05-12",
            "--catalog", "c", "--metadata", "noti_types[]=gex", "--metadata", "noti_types[]=flow",
            "--metadata", "limit=5",
        ],
    )  # fmt: skip
    assert _merged_metadata(args.metadata) == {"noti_types[]": "gex,flow", "limit": "5"}
