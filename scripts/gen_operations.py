"""
Write the table of UW's GET operations from UW's OpenAPI document, so that the adapter reaches every
documented operation without a hand-copied list.

Two checked-in files come out of ``../shared/uw-api/openapi.yaml``:

- ``crates/adapters/unusual_whales/src/http/operations/operations.json``: every GET operation with
  its parameters (where, required, type, enum, limits), its pagination, its plan requirement where
  the document states one, and the WebSocket channel a ``/api/socket/*`` page documents. The Rust
  crate includes it (``http::operations``).
- ``crates/adapters/unusual_whales_sim/test_data/openapi_examples.jsonl``: one answer per
  operation for the simulator, which must not read ``../shared`` at run time: UW's own response
  example where the document has one, else a value built from the response schema (each property's
  own example where it has one).

Usage: python scripts/gen_operations.py [--check] [--spec PATH]
"""

import argparse
import hashlib
import json
import re
import sys
import urllib.parse
from pathlib import Path

import yaml


ROOT = Path(__file__).resolve().parent.parent
OPENAPI_DOC = ROOT.parent / "shared" / "uw-api" / "openapi.yaml"
TABLE = ROOT / "crates/adapters/unusual_whales/src/http/operations/operations.json"
EXAMPLES = ROOT / "crates/adapters/unusual_whales_sim/test_data/openapi_examples.jsonl"

# The document writes dates unquoted (`date: 2024-03-04`); they are strings on the wire.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# Sentences of an operation's description that state what plan or add-on it needs.
_PLAN_SENTENCE = re.compile(
    r"[^.\n]*(?:Requires [^.\n]*(?:tier|add-on)|Available on the [^.\n]*tier[^.\n]*"
    r"|only included in the [^.\n]*subscription|premium endpoint|enterprise only endpoint"
    r"|only available through the ?\[Advanced plan\]|not available on the enterprise)[^.\n]*",
    re.IGNORECASE,
)
_CHANNEL = re.compile(r"websocket channels? `([^`]+)`")
# Row times the generic pager reads to move a time cursor (docs/uw-api.md#paging).
_CURSOR_PARAMS = ("older_than",)
# A time cursor documented as ISO-8601 only (`/api/option-trades/multi-leg`, `/api/futures/flow`):
# the pager sends it RFC 3339 times. The other cursors name Unix seconds or milliseconds as well.
_ISO_ONLY = re.compile(r"\bISO[- ]?8601\b", re.IGNORECASE)
_UNIX_TIME = re.compile(r"\bunix\b|\bmilliseconds?\b|\bseconds?\b", re.IGNORECASE)
# The widest range one query answers, where UW narrows a wider one at `older_than`: "`newer_than`
# is clamped to 24 hours before `older_than`", "adjusted to 14 days from the `older_than`
# timestamp", "clamped to the most recent 5 years ending at `older_than`". A year counts 365 days,
# so that a window never reaches past what UW keeps.
_SPAN_CLAMP = re.compile(
    r"(?:clamped|adjusted)\s+to\s+(?:the\s+most\s+recent\s+)?(\d+)[-\s](hour|day|year)s?\b[^.]*?`older_than`"
)
_SPAN_UNIT_MS = {"hour": 3_600_000, "day": 86_400_000, "year": 365 * 86_400_000}


def load(spec: Path) -> dict:
    with spec.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


class Schemas:
    """
    The document's component schemas, with ``$ref`` resolution.
    """

    def __init__(self, doc: dict) -> None:
        self.schemas = doc["components"]["schemas"]

    def resolve(self, schema: object) -> dict:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"].split("#/components/schemas/", 1)[1]
            name = urllib.parse.unquote(name).replace("~1", "/").replace("~0", "~")
            # YAML drops the trailing space of `Option contract :`; the reference keeps it.
            schema = self.schemas.get(name) or self.schemas[name.strip()]
            seen += 1
            if seen > 50:
                raise ValueError(f"$ref loop at {name}")
        return schema if isinstance(schema, dict) else {}


def plan_requirement(op: dict) -> str | None:
    text = " ".join(filter(None, [op.get("description"), op.get("summary")]))
    sentences = []
    for match in _PLAN_SENTENCE.finditer(text):
        sentence = re.sub(r"\s+", " ", re.sub(r"\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", match.group(0))).strip()
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    return " ".join(s if s.endswith(".") else s + "." for s in sentences) or None


def parameter(prm: dict, schemas: Schemas) -> dict:
    schema = schemas.resolve(prm.get("schema", {}))
    kind = schema.get("type", "string")
    out: dict = {"name": prm["name"], "in": prm["in"], "required": bool(prm.get("required")), "type": kind}
    if kind == "array":
        out["items"] = schemas.resolve(schema.get("items", {})).get("type", "string")
        items = schemas.resolve(schema.get("items", {}))
        if "enum" in items:
            out["enum"] = [str(v) for v in items["enum"]]
    for key in ("minimum", "maximum"):
        if key in schema:
            out[key] = schema[key]
    if "enum" in schema:
        out["enum"] = [str(v) for v in schema["enum"]]
    if "default" in schema:
        out["default"] = (
            str(schema["default"]).lower() if isinstance(schema["default"], bool) else str(schema["default"])
        )
    for key in ("format", "pattern"):
        if key in schema:
            out[key] = schema[key]
    # UW's date parameters are plain strings whose example is a date (`Optional Market Date`).
    example = prm.get("example", schema.get("example"))
    if kind == "string" and "format" not in out and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(example or "")):
        out["format"] = "date"
    return out


def response_schema(op: dict, schemas: Schemas) -> tuple[str, dict | None]:
    ok = (op.get("responses") or {}).get("200")
    if not ok:
        return "none", None
    content = ok.get("content") or {}
    if "application/json" in content:
        return "json", schemas.resolve(content["application/json"].get("schema", {}))
    if "application/zip" in content:
        return "zip", None
    return "none", None


def mentions_has_more(schema: dict | None, schemas: Schemas, depth: int = 0) -> bool:
    if not schema or depth > 3:
        return False
    props = schema.get("properties") or {}
    if "has_more" in props:
        return True
    example = schema.get("example")
    if isinstance(example, dict) and "has_more" in example:
        return True
    return any(mentions_has_more(schemas.resolve(v), schemas, depth + 1) for v in props.values() if isinstance(v, dict))


def cursor_facts(op: dict, schemas: Schemas) -> dict:
    """
    What the document says of an operation's time cursors: ``cursor_iso`` when both
    ``newer_than`` and ``older_than`` take ISO-8601 times only, ``max_span_ms`` when one query
    covers at most that long.
    """
    texts = [
        " ".join(filter(None, [p.get("description"), schemas.resolve(p.get("schema", {})).get("description")]))
        for p in op.get("parameters", [])
        if p["in"] == "query" and p["name"] in ("newer_than", "older_than")
    ]
    out: dict = {}
    if texts and all(_ISO_ONLY.search(t) and not _UNIX_TIME.search(t) for t in texts):
        out["cursor_iso"] = True
    spans = [
        int(m.group(1)) * _SPAN_UNIT_MS[m.group(2)]
        for text in [op.get("description") or "", *texts]
        for m in _SPAN_CLAMP.finditer(text)
    ]
    if spans:
        out["max_span_ms"] = min(spans)
    return out


# A `page` documented as counted from 1: "Page number (1-indexed)", "1-based page of tickers. Default
# 1", "Page number (default 1)", "(default is 1)".
_PAGE_FROM_ONE = re.compile(r"\b1-(?:indexed|based)\b|\bdefault(?: is)? 1\b", re.IGNORECASE)
# Row fields that identify a row, in the order they are tried: the pager drops a row it already
# delivered when two cursor pages overlap.
_ROW_ID_FIELDS = ("id", "trade_id")


def page_base(op: dict, schemas: Schemas) -> int:
    """
    The number of an operation's first page: 1 where the document's ``page`` has ``minimum: 1``,
    ``default: 1`` or says so in its description, else 0.
    """
    for prm in op.get("parameters", []):
        if prm["in"] != "query" or prm["name"] != "page":
            continue
        schema = schemas.resolve(prm.get("schema", {}))
        text = " ".join(filter(None, [prm.get("description"), schema.get("description")]))
        if schema.get("minimum") == 1 or str(schema.get("default")) == "1" or _PAGE_FROM_ONE.search(text):
            return 1
    return 0


def row_fields(schema: dict | None, schemas: Schemas, depth: int = 0) -> list[str]:
    """
    The fields of a page's rows (the answer's array, or its ``data`` array): the row schema's
    properties, else the keys of the first row of the document's example.
    """
    if not schema or depth > 4:
        return []
    schema = schemas.resolve(schema)
    example = schema.get("example")
    if isinstance(example, dict):
        example = example.get("data")
    if schema.get("type") == "array":
        items = schemas.resolve(schema.get("items", {}))
        if items.get("properties"):
            return list(items["properties"])
    props = schema.get("properties") or {}
    if "data" in props:
        found = row_fields(props["data"], schemas, depth + 1)
        if found:
            return found
    if isinstance(example, list) and example and isinstance(example[0], dict):
        return list(example[0])
    return []


def row_id(schema: dict | None, schemas: Schemas) -> str | None:
    fields = row_fields(schema, schemas)
    return next((f for f in _ROW_ID_FIELDS if f in fields), None)


def paging(op: dict, params: list[dict], schema: dict | None, schemas: Schemas) -> dict:
    names = {p["name"]: p for p in params if p["in"] == "query"}
    if any(c in names for c in _CURSOR_PARAMS):
        style = "cursor"
    elif "page" in names:
        style = "page"
    elif "offset" in names:
        style = "offset"
    else:
        style = "none"
    limit = names.get("limit", {})
    out: dict = {"style": style, "daily": "date" in names, "has_more": mentions_has_more(schema, schemas)}
    if "maximum" in limit:
        out["limit_max"] = int(limit["maximum"])
    if "default" in limit:
        out["limit_default"] = int(float(limit["default"]))
    if style == "page" and page_base(op, schemas) == 1:
        out["page_base"] = 1
    if style == "cursor":
        out.update(cursor_facts(op, schemas))
        rid = row_id(schema, schemas)
        if rid:
            out["row_id"] = rid
    return out


def operation_name(path: str, marked: bool = False) -> str:
    """
    ``/api/stock/{ticker}/max-pain`` -> ``stock_ticker_max_pain``: short, and stable across UW's
    regenerated operation ids. ``marked`` writes path values as ``by_<name>``, for the paths whose
    plain name another path has (``.../{expiry}/strike`` next to ``.../expiry-strike``).
    """
    segments = path.removeprefix("/api/").strip("/").split("/")

    def word(segment: str) -> str:
        text = re.sub(r"[^a-z0-9]+", "_", segment.strip("{}").lower()).strip("_")
        return f"by_{text}" if marked and segment.startswith("{") else text

    return "_".join(word(s) for s in segments) or "api"


def operation_names(paths: list[str]) -> dict[str, str]:
    """
    Every path's name; of paths sharing a plain name, those with the most path values are marked.
    """
    plain = {path: operation_name(path) for path in paths}
    fewest: dict[str, int] = {}
    for path, name in plain.items():
        fewest[name] = min(fewest.get(name, path.count("{")), path.count("{"))
    taken = list(plain.values())
    names = {
        path: operation_name(path, marked=taken.count(name) > 1 and path.count("{") > fewest[name])
        for path, name in plain.items()
    }
    if len(set(names.values())) != len(names):
        raise ValueError("operation names are not unique")
    return names


def synthesize(schema: object, schemas: Schemas, name: str = "", depth: int = 0) -> object:
    """
    A value valid for ``schema``: its example where it has one, else one built from its type.
    """
    s = schemas.resolve(schema)
    if "example" in s:
        return s["example"]
    for key in ("oneOf", "anyOf"):
        if key in s:
            options = [schemas.resolve(o) for o in s[key]]
            usable = [o for o in options if o.get("type") != "null"] or options
            return synthesize(usable[0], schemas, name, depth + 1)
    if "allOf" in s:
        merged: dict = {}
        for part in s["allOf"]:
            value = synthesize(part, schemas, name, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "enum" in s:
        return s["enum"][0]
    kind = s.get("type") or ("object" if "properties" in s else "string")
    if depth > 8:
        return None
    if kind == "object":
        props = s.get("properties") or {}
        return {key: synthesize(value, schemas, key, depth + 1) for key, value in props.items()}
    if kind == "array":
        return [synthesize(s.get("items", {}), schemas, name, depth + 1)]
    if kind == "integer":
        return int(s.get("minimum", 1)) if s.get("minimum", 1) > 0 else 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    fmt = s.get("format")
    if fmt == "date":
        return "2025-05-16"
    if fmt == "date-time":
        return "2025-05-16T14:30:00Z"
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return name or "text"


def channel_payload(description: str) -> object | None:
    """
    The first example frame's payload of a ``/api/socket/<channel>`` page (a page shows either a
    whole ``[channel, payload]`` frame or the payload alone).
    """
    for block in re.findall(r"```\w*\n(.*?)```", description, re.DOTALL):
        try:
            frame = json.loads(block)
        except ValueError:
            continue
        if isinstance(frame, list) and len(frame) == 2:
            return frame[1]
        if isinstance(frame, dict):
            return frame
    return None


def channel_forms(doc: dict) -> list[str]:
    description = doc["paths"]["/api/socket"]["get"].get("description", "")
    forms = []
    for line in description.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0] and not set(cells[0]) <= set("-") and cells[0] != "Channel":
            forms.append(cells[0])
    return forms


def build(spec: Path) -> tuple[str, str]:
    raw = spec.read_bytes()
    doc = load(spec)
    schemas = Schemas(doc)
    operations = []
    examples = []
    forms = channel_forms(doc)
    names = operation_names([p for p, methods in doc["paths"].items() if "get" in methods])
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if method != "get":
                continue
            params = [parameter(p, schemas) for p in op.get("parameters", [])]
            kind, schema = response_schema(op, schemas)
            tag = (op.get("tags") or ["untagged"])[0]
            match = _CHANNEL.search(op.get("description") or "")
            channel = match.group(1).split(":")[0] if match and tag == "websocket" else None
            name = names[path]
            operations.append(
                {
                    "id": op["operationId"],
                    "name": name,
                    "path": path,
                    "tag": tag,
                    "summary": (op.get("summary") or "").strip(),
                    "response": kind,
                    "channel": channel,
                    "plan": plan_requirement(op),
                    "paging": paging(op, params, schema, schemas),
                    "params": params,
                }
            )
            if tag == "websocket":
                body = {"channels": forms} if channel is None else channel_payload(op.get("description", ""))
                source = "channel table" if channel is None else "channel page"
            elif kind == "json":
                source = "example" if "example" in schema else "schema"
                body = synthesize(schema, schemas)
            else:
                source, body = kind, None
            examples.append({"operation_id": op["operationId"], "path": path, "source": source, "body": body})
    meta = {
        "generated_by": "scripts/gen_operations.py",
        "source": "UW's OpenAPI document (../shared/uw-api/openapi.yaml, provenance in its README)",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "info_version": str(doc["info"].get("version")),
        "channel_forms": forms,
    }
    table = json.dumps({"meta": meta, "operations": operations}, indent=1, ensure_ascii=False) + "\n"
    lines = [json.dumps({"meta": meta}, ensure_ascii=False)]
    lines += [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in examples]
    return table, "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a checked-in file differs")
    parser.add_argument("--spec", type=Path, default=OPENAPI_DOC, help=f"the OpenAPI document (default {OPENAPI_DOC})")
    args = parser.parse_args()
    table, examples = build(args.spec)
    stale = [p for p, text in ((TABLE, table), (EXAMPLES, examples)) if not p.exists() or p.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path} is out of date: run python scripts/gen_operations.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in ((TABLE, table), (EXAMPLES, examples)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
