"""
UW / OCC option symbols and tickers <-> NautilusTrader ``InstrumentId``.

UW's option symbols are compact OCC (``SPY241220C00500000``), which is the symbol the Interactive
Brokers adapter gives an option in its simplified symbology: ``InstrumentId("SPY241220C00500000.SMART")``.
Underlyings map to ``SPY.SMART``. The rules match the Rust parser that stamps ``instrument_id`` on
every decoded record (``crates/adapters/unusual_whales/src/common/symbol.rs``).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nautilus_trader.model.enums import OptionKind
from nautilus_trader.model.identifiers import InstrumentId


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


def format_occ_symbol(root: str, expiry: date, option_kind: OptionKind, strike: Decimal | int | str) -> str:
    """
    Format the compact OCC symbol.

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
    return f"{root}{expiry:%y%m%d}{cp}{int(thousandths):08d}"


def option_instrument_id(symbol: OccSymbol | str, venue: str = DEFAULT_VENUE) -> InstrumentId:
    """
    The IB-simplified-symbology instrument id of an option contract, e.g. ``SPY241220C00500000.SMART``.
    """
    occ = symbol if isinstance(symbol, OccSymbol) else parse_occ_symbol(symbol)
    return InstrumentId.from_str(f"{occ}.{venue}")


def underlying_instrument_id(ticker: str, venue: str = DEFAULT_VENUE) -> InstrumentId:
    """
    The instrument id of an underlying, e.g. ``SPY.SMART``.

    Raises
    ------
    UwSymbolError
        If the ticker is empty, longer than 16 characters, or has spaces or non-ASCII characters.
    """
    if not isinstance(ticker, str) or not _TICKER.match(ticker):
        raise UwSymbolError(f"invalid ticker {ticker!r}")
    return InstrumentId.from_str(f"{ticker}.{venue}")


def parse_instrument_id(instrument_id: InstrumentId) -> OccSymbol | str:
    """
    The option contract an instrument id names, or its ticker when it names an underlying.
    """
    symbol = instrument_id.symbol.value
    try:
        return parse_occ_symbol(symbol)
    except UwSymbolError:
        return symbol
