"""
UW / OCC option symbols and tickers <-> NautilusTrader ``InstrumentId``.

UW's option symbols are compact OCC (``SPY241220C00500000``). The Interactive Brokers adapter names
the same option, in its simplified symbology, after IB's ``localSymbol``: compact up to NautilusTrader
1.222 (``SPY241220C00500000.SMART``), with the root padded to six characters from 1.223 on
(``SPY   241220C00500000.SMART``). Ids are written in the form of the installed release unless
``padded`` says otherwise. Underlyings map to ``SPY.SMART``, share classes as IB writes them
(UW's ``BRK.B`` -> ``BRK-B.SMART``). The rules match the Rust parser that stamps ``instrument_id`` on
every decoded record (``crates/adapters/unusual_whales/src/common/symbol.rs``).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nautilus_trader.model.enums import OptionKind
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_trader_uw import _compat


DEFAULT_VENUE = "SMART"

_OCC = re.compile(r"^(?P<root>[A-Z0-9.]{1,6}) *(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<cp>[CP])(?P<strike>\d{8})$")
_TICKER = re.compile(r"^[!-~]{1,16}$")  # printable ASCII, no spaces


class UwSymbolError(ValueError):
    """
    A symbol that cannot name an instrument.
    """


@dataclass(frozen=True)
class OccSymbol:
    """
    A parsed OCC option symbol. ``strike`` is exact (OCC encodes thousandths of a dollar).
    """

    root: str
    expiry: date
    option_kind: OptionKind
    strike: Decimal

    def __str__(self) -> str:
        return format_occ_symbol(self.root, self.expiry, self.option_kind, self.strike)

    @property
    def padded(self) -> str:
        """
        The symbol with the root padded to six characters (``SPY   241220C00500000``), IB's ``localSymbol``.
        """
        return format_occ_symbol(self.root, self.expiry, self.option_kind, self.strike, padded=True)


def ib_pads_occ_root() -> bool:
    """
    Whether the installed NautilusTrader's IB adapter keeps the OCC root padded in option ids (1.223+).
    """
    return _compat.IB_PADS_OCC_ROOT


def parse_occ_symbol(text: str) -> OccSymbol:
    """
    Parse a compact (``SPY241220C00500000``) or padded (``SPY   241220C00500000``) OCC symbol.

    Raises
    ------
    UwSymbolError
        If the text is not an OCC option symbol.
    """
    if not isinstance(text, str):
        raise UwSymbolError(f"expected a str, got {type(text).__name__}")
    m = _OCC.match(text)
    if m is None:
        raise UwSymbolError(f"invalid OCC option symbol {text!r}: expected ROOT + YYMMDD + C/P + 8-digit strike")
    year, month, day = 2000 + int(m["yy"]), int(m["mm"]), int(m["dd"])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise UwSymbolError(f"invalid OCC option symbol {text!r}: expiry is not a calendar date")
    kind = OptionKind.CALL if m["cp"] == "C" else OptionKind.PUT
    return OccSymbol(m["root"], date(year, month, day), kind, Decimal(int(m["strike"])) / 1000)


def format_occ_symbol(
    root: str,
    expiry: date,
    option_kind: OptionKind,
    strike: Decimal | int | str,
    padded: bool = False,
) -> str:
    """
    Format the OCC symbol: compact, or with the root padded to six characters.

    Raises
    ------
    UwSymbolError
        If a part cannot be encoded (root shape, expiry outside 2000-2099, strike not in
        thousandths or out of range).
    """
    if not re.fullmatch(r"[A-Z0-9.]{1,6}", root or ""):
        raise UwSymbolError(f"invalid option root {root!r}")
    if not 2000 <= expiry.year <= 2099:
        raise UwSymbolError(f"expiry {expiry} cannot be encoded in OCC's two-digit year")
    thousandths = Decimal(str(strike)) * 1000
    if thousandths != thousandths.to_integral_value() or not 0 <= thousandths < 100_000_000:
        raise UwSymbolError(f"strike {strike} cannot be encoded in OCC's 8 digits of thousandths")
    cp = "C" if option_kind == OptionKind.CALL else "P"
    return f"{root.ljust(6) if padded else root}{expiry:%y%m%d}{cp}{int(thousandths):08d}"


def option_instrument_id(
    symbol: OccSymbol | str,
    venue: str = DEFAULT_VENUE,
    padded: bool | None = None,
) -> InstrumentId:
    """
    The IB-simplified-symbology instrument id of an option contract.

    ``SPY   241220C00500000.SMART`` with NautilusTrader 1.223+, ``SPY241220C00500000.SMART`` before;
    ``padded`` chooses the form explicitly.
    """
    occ = symbol if isinstance(symbol, OccSymbol) else parse_occ_symbol(symbol)
    text = occ.padded if (ib_pads_occ_root() if padded is None else padded) else str(occ)
    return InstrumentId.from_str(f"{text}.{venue}")


def underlying_instrument_id(ticker: str, venue: str = DEFAULT_VENUE) -> InstrumentId:
    """
    The instrument id of an underlying, e.g. ``SPY.SMART``; a share class is written as IB's adapter
    writes it (``BRK.B`` -> ``BRK-B.SMART``).

    Raises
    ------
    UwSymbolError
        If the ticker is empty, longer than 16 characters, or has spaces or non-ASCII characters.
    """
    if not isinstance(ticker, str) or not _TICKER.match(ticker):
        raise UwSymbolError(f"invalid ticker {ticker!r}")
    return InstrumentId.from_str(f"{ticker.replace('.', '-')}.{venue}")


def parse_instrument_id(instrument_id: InstrumentId) -> OccSymbol | str:
    """
    The option contract an instrument id names (either OCC form), or its UW ticker when it names an
    underlying (``BRK-B.SMART`` -> ``BRK.B``).
    """
    symbol = instrument_id.symbol.value
    try:
        return parse_occ_symbol(symbol)
    except UwSymbolError:
        return symbol.replace("-", ".")
