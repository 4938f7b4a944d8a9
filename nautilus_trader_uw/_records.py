"""
Machinery shared by every UW Data type: catalog (Arrow) schema, dict/Arrow conversion, ``repr``
and pickling (``instrument_id`` is the Rust class's getter: one cached ``InstrumentId`` per id).

The fields of each type are declared once, in Rust (``uw_record!``); this module reads them from
the extension class and registers the type with NautilusTrader's serializers, so a field added in
Rust appears in Python and in the Parquet schema without touching this file.
"""

from collections.abc import Callable
from typing import Any
from typing import ClassVar
from typing import TypeVar

import pyarrow as pa
from nautilus_trader.core.data import Data
from nautilus_trader.core.datetime import unix_nanos_to_iso8601
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.serialization.arrow.serializer import register_arrow
from nautilus_trader.serialization.base import register_serializable_type

from nautilus_trader_uw import _core


_ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "str?": pa.string(),
    "f64": pa.float64(),
    "f64?": pa.float64(),
    "i64": pa.int64(),
    "i64?": pa.int64(),
    "bool": pa.bool_(),
    "bool?": pa.bool_(),
    "nanos": pa.uint64(),
    "nanos?": pa.uint64(),
    "list[str]": pa.list_(pa.string()),
    "list[f64]": pa.list_(pa.float64()),
}

# Lists longer than this are abbreviated in repr (a flow alert can carry hundreds of trade ids).
_REPR_LIST_MAX = 4

T = TypeVar("T", bound="UwData")


def _rebuild(cls: type, values: dict[str, Any]) -> "UwData":
    return cls(**values)


class UwData(Data):
    """
    Base of every UW Data type: a Rust record (first base) that is also a NautilusTrader ``Data``.

    Instances are immutable. ``ts_event`` is UW's event time and ``ts_init`` the arrival time,
    both UNIX nanoseconds.
    """

    __slots__ = ()

    _FIELD_NAMES: ClassVar[tuple[str, ...]] = ()
    _FIELD_KINDS: ClassVar[dict[str, str]] = {}
    _HAS_INSTRUMENT: ClassVar[bool] = False
    _schema: ClassVar[pa.Schema]

    def to_dict(self) -> dict[str, Any]:
        """
        Return the record as a plain dict (the keyword arguments that rebuild it).
        """
        values = {name: getattr(self, name) for name in self._FIELD_NAMES}
        if self._HAS_INSTRUMENT:
            values["instrument_id"] = self._instrument_id_str
        values["ts_event"] = self.ts_event
        values["ts_init"] = self.ts_init
        return values

    @classmethod
    def from_dict(cls: type[T], values: dict[str, Any]) -> T:
        """
        Build a record from ``to_dict`` output (a ``type`` key, if present, is ignored).
        """
        values = {k: v for k, v in values.items() if k != "type"}
        return cls(**values)

    def to_arrow(self) -> pa.RecordBatch:
        """
        Return a one-row Arrow record batch in the type's catalog schema.
        """
        return pa.RecordBatch.from_pylist([self.to_dict()], schema=self._schema)

    @classmethod
    def from_arrow(cls: type[T], table: pa.Table | pa.RecordBatch) -> list[T]:
        """
        Build records from an Arrow table in the type's catalog schema.
        """
        return [cls(**row) for row in table.to_pylist()]

    def __reduce__(self) -> tuple[Callable[..., "UwData"], tuple[type, dict[str, Any]]]:
        return (_rebuild, (type(self), self.to_dict()))

    def __repr__(self) -> str:
        parts = []
        for name in self._FIELD_NAMES:
            value = getattr(self, name)
            if value is None or value == []:
                continue
            kind = self._FIELD_KINDS[name]
            if kind.startswith("nanos"):
                value = unix_nanos_to_iso8601(value)
            elif isinstance(value, list) and len(value) > _REPR_LIST_MAX:
                shown = ", ".join(repr(v) for v in value[:_REPR_LIST_MAX])
                value = f"[{shown}, ... {len(value) - _REPR_LIST_MAX} more]"
                parts.append(f"{name}={value}")
                continue
            parts.append(f"{name}={value!r}")
        if self._HAS_INSTRUMENT:
            parts.append(f"instrument_id={self._instrument_id_str}")
        parts.append(f"ts_event={unix_nanos_to_iso8601(self.ts_event)}")
        parts.append(f"ts_init={unix_nanos_to_iso8601(self.ts_init)}")
        return f"{type(self).__name__}({', '.join(parts)})"


def cached_instrument_id(text: str) -> InstrumentId:
    """
    ``InstrumentId.from_str(text)``, built once per distinct id (bounded), the same object the
    records' ``instrument_id`` returns.
    """
    return _core._cached_instrument_id(text)


def uw_data_type(cls: type[T]) -> type[T]:
    """
    Class decorator: complete a UW Data type and register it for Rust, Arrow and msgpack.

    The class must derive from its Rust record class first and ``UwData`` second.
    """
    if not issubclass(cls, UwData):
        raise TypeError(f"{cls.__name__} must derive from UwData")
    specs = cls._field_specs()
    has_instrument = cls._has_instrument()
    cls._FIELD_NAMES = tuple(name for name, _ in specs)
    cls._FIELD_KINDS = dict(specs)
    cls._HAS_INSTRUMENT = has_instrument
    fields = [pa.field(name, _ARROW_TYPES[kind], nullable=kind.endswith("?")) for name, kind in specs]
    if has_instrument:
        # Nautilus' catalog partitions files by `instrument_id` and filters on it in queries.
        # `instrument_id` itself is the Rust class's getter (a cached InstrumentId).
        fields.append(pa.field("instrument_id", pa.string(), nullable=False))
    fields += [pa.field("ts_event", pa.uint64(), nullable=False), pa.field("ts_init", pa.uint64(), nullable=False)]
    cls._schema = pa.schema(fields, metadata={"type": cls.__name__})
    register_serializable_type(cls, cls.to_dict, cls.from_dict)
    register_arrow(cls, cls._schema, cls.to_arrow, cls.from_arrow)
    cls._register_data_class()
    return cls
