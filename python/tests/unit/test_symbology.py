"""
OCC symbology: examples, round trips, garbage, and agreement with the Rust parser.
"""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nautilus_trader.model.enums import OptionKind
from nautilus_trader.model.identifiers import InstrumentId

import nautilus_trader_uw as uw
from nautilus_trader_uw.symbology import OccSymbol
from nautilus_trader_uw.symbology import UwSymbolError
from nautilus_trader_uw.symbology import format_occ_symbol
from nautilus_trader_uw.symbology import ib_pads_occ_root
from nautilus_trader_uw.symbology import option_instrument_id
from nautilus_trader_uw.symbology import parse_instrument_id
from nautilus_trader_uw.symbology import parse_occ_symbol
from nautilus_trader_uw.symbology import underlying_instrument_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SPY241220C00500000", OccSymbol("SPY", date(2024, 12, 20), OptionKind.CALL, Decimal("500"))),
        ("SPXW241220P05900000", OccSymbol("SPXW", date(2024, 12, 20), OptionKind.PUT, Decimal("5900"))),
        ("TSLA  250516C00352500", OccSymbol("TSLA", date(2025, 5, 16), OptionKind.CALL, Decimal("352.5"))),
    ],
)
def test_examples(text, expected):
    assert parse_occ_symbol(text) == expected
    assert str(expected) == text.replace(" ", "")


def test_instrument_ids_use_ib_simplified_symbology():
    assert option_instrument_id("SPY241220C00500000", padded=False) == InstrumentId.from_str("SPY241220C00500000.SMART")
    assert underlying_instrument_id("SPY", venue="ARCA") == InstrumentId.from_str("SPY.ARCA")
    assert parse_instrument_id(InstrumentId.from_str("SPY.SMART")) == "SPY"
    assert parse_instrument_id(InstrumentId.from_str("SPY241220C00500000.SMART")).strike == 500


@pytest.mark.parametrize("text", ["", "SPY", "SPY241320C00500000", "SPY240230C00500000", "spy241220C00500000"])
def test_invalid_symbols(text):
    with pytest.raises(UwSymbolError):
        parse_occ_symbol(text)


def test_unencodable_parts():
    with pytest.raises(UwSymbolError):
        format_occ_symbol("SPY", date(2024, 1, 1), OptionKind.CALL, Decimal("0.0001"))
    with pytest.raises(UwSymbolError):
        underlying_instrument_id("S P Y")


roots = st.from_regex(r"[A-Z][A-Z0-9.]{0,5}", fullmatch=True)
expiries = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
kinds = st.sampled_from([OptionKind.CALL, OptionKind.PUT])
strikes = st.integers(0, 99_999_999).map(lambda t: Decimal(t) / 1000)


@given(roots, expiries, kinds, strikes)
def test_round_trip_through_text_and_instrument_id(root, expiry, kind, strike):
    occ = OccSymbol(root, expiry, kind, strike)
    assert parse_occ_symbol(str(occ)) == occ
    assert parse_instrument_id(option_instrument_id(occ, venue="SMART")) == occ


@given(st.text(max_size=30))
def test_garbage_raises_only_the_documented_error(text):
    try:
        occ = parse_occ_symbol(text)
    except UwSymbolError as e:
        assert repr(text) in str(e)  # the message names the offending input
    else:
        assert str(occ) == text.replace(" ", "")


def _rust_accepts(symbol: str) -> bool:
    frame = json.dumps(["flow-alerts", {"id": "a", "ticker": "X", "option_chain": symbol, "total_premium": 1}])
    try:
        uw.parse_ws_frame(frame)
    except uw.UwParseError as e:
        assert e.field == "option_chain"
        return False
    return True


@given(st.one_of(st.text(alphabet="SPYXW0123456789CP. ", max_size=22), st.builds(str, roots)))
def test_python_and_rust_parsers_agree(text):
    try:
        parse_occ_symbol(text)
        python_accepts = True
    except UwSymbolError:
        python_accepts = False
    if text.strip() == "":
        return  # the Rust side rejects an empty option_chain as a missing field, the same verdict
    assert python_accepts == _rust_accepts(text), text


# -- Ids equal the installed IB adapter's -----------------------------------------------------------

ib_instruments = pytest.importorskip("nautilus_trader.adapters.interactive_brokers.parsing.instruments")
ib_common = pytest.importorskip("nautilus_trader.adapters.interactive_brokers.common")


def _ib_id(sec_type: str, local_symbol: str, symbol: str = "", venue: str = "SMART") -> InstrumentId:
    contract = ib_common.IBContract(secType=sec_type, localSymbol=local_symbol, symbol=symbol, exchange="SMART")
    return ib_instruments.ib_contract_to_instrument_id(contract, venue=venue)


# (UW's compact OCC symbol, IB's 21-character localSymbol of the same contract)
IB_OPTIONS = [
    ("F261218C00012500", "F     261218C00012500"),
    ("GE261218P00150000", "GE    261218P00150000"),
    ("SPY261218C00600000", "SPY   261218C00600000"),
    ("AAPL270115C00200000", "AAPL  270115C00200000"),
    ("SPXW261218P07000000", "SPXW  261218P07000000"),
    ("SPX261218C06000000", "SPX   261218C06000000"),
    ("NDXP261218C21000000", "NDXP  261218C21000000"),
    ("VIXW261216C00020500", "VIXW  261216C00020500"),
    ("GOOGL261218C99999999", "GOOGL 261218C99999999"),
    ("BRKB261218C00500000", "BRKB  261218C00500000"),
    ("ABCDEF261218P00001000", "ABCDEF261218P00001000"),
]


@pytest.mark.parametrize(("uw_symbol", "local_symbol"), IB_OPTIONS)
def test_option_ids_equal_the_installed_ib_adapters(uw_symbol, local_symbol):
    expected = _ib_id("OPT", local_symbol)
    assert option_instrument_id(uw_symbol) == expected
    assert option_instrument_id(local_symbol) == expected
    # What the Rust parser stamps on records (live, REST, catalog) is the same id, character for character.
    frame = json.dumps(["flow-alerts", {"id": "a", "ticker": "X", "option_chain": uw_symbol, "total_premium": 1}])
    (alert,) = uw.parse_ws_frame(frame)
    assert alert.instrument_id == expected
    assert alert.instrument_id.value == expected.value
    assert parse_instrument_id(expected) == parse_occ_symbol(uw_symbol)


@pytest.mark.parametrize(("uw_ticker", "local_symbol"), [("SPY", "SPY"), ("BRK.B", "BRK B"), ("F", "F")])
def test_underlying_ids_equal_the_installed_ib_adapters(uw_ticker, local_symbol):
    expected = _ib_id("STK", local_symbol, symbol=local_symbol.split()[0])
    assert underlying_instrument_id(uw_ticker) == expected
    assert parse_instrument_id(expected) == uw_ticker
    (price,) = uw.parse_ws_frame(json.dumps([f"price:{uw_ticker}", {"close": "1.5", "time": 1_700_000_000_000}]))
    assert price.instrument_id == expected


def test_the_ib_form_follows_the_installed_release():
    padded = _ib_id("OPT", "SPY   261218C00600000").symbol.value == "SPY   261218C00600000"
    assert ib_pads_occ_root() is padded
    assert option_instrument_id("SPY261218C00600000", padded=False).value == "SPY261218C00600000.SMART"
    assert option_instrument_id("SPY261218C00600000", padded=True).value == "SPY   261218C00600000.SMART"
    assert option_instrument_id("SPY261218C00600000", venue="CBOE", padded=True).venue.value == "CBOE"


def test_the_venue_and_form_are_configurable_per_parse():
    frame = json.dumps(
        ["flow-alerts", {"id": "a", "ticker": "X", "option_chain": "SPY261218C00600000", "total_premium": 1}]
    )
    (compact,) = uw.parse_ws_frame(frame, venue="CBOE", padded_occ_root=False)
    (padded,) = uw.parse_ws_frame(frame, venue="CBOE", padded_occ_root=True)
    assert compact.instrument_id.value == "SPY261218C00600000.CBOE"
    assert padded.instrument_id.value == "SPY   261218C00600000.CBOE"
