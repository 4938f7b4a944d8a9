"""
Example strategies that consume UW data: ``ZeroDteFlowStrategy`` is what ``uw-nt demo`` runs live;
``FlowWatcher`` is what ``uw-nt demo --replay`` runs on the bundled recording.
"""

from collections import Counter
from collections import defaultdict
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from zoneinfo import ZoneInfo

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.model.data import DataType
from nautilus_trader.trading.config import StrategyConfig
from nautilus_trader.trading.strategy import Strategy

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw.types import UwFeedStatus
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwFlowBar
from nautilus_trader_uw.types import UwNetFlow
from nautilus_trader_uw.types import UwNetPremTick
from nautilus_trader_uw.types import UwOptionTrade


_NEW_YORK = ZoneInfo("America/New_York")


def ny_date(ts_ns: int) -> str:
    """
    The New York calendar date of a UNIX-nanosecond time: the expiry of a 0DTE contract then.
    """
    return datetime.fromtimestamp(ts_ns / 1e9, tz=_NEW_YORK).strftime("%Y-%m-%d")


class FlowWatcherConfig(ActorConfig, frozen=True):
    """
    Configuration for ``FlowWatcher``.

    Parameters
    ----------
    min_premium : float
        Alerts below this total premium (USD) are ignored.
    min_ask_share : float
        The share of premium traded at the ask (0-1) that makes an alert aggressive.
    tickers : tuple[str, ...]
        Underlyings to watch; empty watches every ticker.
    """

    min_premium: float = 25_000.0
    min_ask_share: float = 0.6
    tickers: tuple[str, ...] = ()


@dataclass
class FlowWatcherSummary:
    """
    What a ``FlowWatcher`` saw and decided.
    """

    alerts: int = 0
    trades: int = 0
    signals: list[str] = field(default_factory=list)
    net_premium_by_ticker: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    rules: Counter = field(default_factory=Counter)


class FlowWatcher(Actor):
    """
    Watches UW flow alerts and option prints and logs the trades it would make.

    A large alert traded mostly at the ask is read as aggressive buying: calls -> bullish,
    puts -> bearish. Option prints feed a running net premium per underlying (ask-side call and
    bid-side put premium count as bullish, the opposite as bearish). The actor only logs; wire its
    signals to an execution client (e.g. Interactive Brokers) to trade them.
    """

    def __init__(self, config: FlowWatcherConfig | None = None) -> None:
        super().__init__(config or FlowWatcherConfig())
        self._cfg = config or FlowWatcherConfig()
        self.summary = FlowWatcherSummary()

    def on_start(self) -> None:
        self.subscribe_data(DataType(UwFlowAlert), client_id=UW_CLIENT_ID)
        self.subscribe_data(DataType(UwOptionTrade), client_id=UW_CLIENT_ID)

    def on_stop(self) -> None:
        self.unsubscribe_data(DataType(UwFlowAlert), client_id=UW_CLIENT_ID)
        self.unsubscribe_data(DataType(UwOptionTrade), client_id=UW_CLIENT_ID)

    def on_data(self, data) -> None:
        if isinstance(data, UwFlowAlert):
            self._on_flow_alert(data)
        elif isinstance(data, UwFlowBar):
            self._on_bar(data)
        elif isinstance(data, UwOptionTrade):
            self._on_option_trade(data)

    def _watching(self, ticker: str) -> bool:
        return not self._cfg.tickers or ticker in self._cfg.tickers

    def _on_flow_alert(self, alert: UwFlowAlert) -> None:
        if not self._watching(alert.ticker):
            return
        self.summary.alerts += 1
        self.summary.rules[alert.rule_name or "unknown"] += 1
        if alert.total_premium < self._cfg.min_premium or not alert.total_premium:
            return
        ask_share = (alert.total_ask_side_prem or 0.0) / alert.total_premium
        if ask_share < self._cfg.min_ask_share:
            return
        bias = "BULLISH" if alert.option_type == "call" else "BEARISH"
        signal = (
            f"{bias} {alert.instrument_id}: ${alert.total_premium:,.0f} premium, "
            f"{ask_share:.0%} at the ask ({alert.rule_name}, {alert.trade_count} prints)"
        )
        self.summary.signals.append(signal)
        self.log.info(f"SIGNAL {signal}")

    def _on_option_trade(self, trade: UwOptionTrade) -> None:
        if not self._watching(trade.underlying_symbol):
            return
        self.summary.trades += 1
        premium = trade.premium or 0.0
        side = 1.0 if "ask_side" in trade.tags else -1.0 if "bid_side" in trade.tags else 0.0
        direction = 1.0 if trade.option_type == "call" else -1.0
        self.summary.net_premium_by_ticker[trade.underlying_symbol] += side * direction * premium


class ZeroDteFlowConfig(StrategyConfig, frozen=True):
    """
    Configuration for ``ZeroDteFlowStrategy``.

    Parameters
    ----------
    tickers : tuple[str, ...]
        Underlyings whose same-day (0DTE) flow is watched.
    min_premium : float
        Alerts below this total premium (USD) are not acted on; the filter runs in Rust.
    min_ask_share : float
        Share of the premium bought at the ask (0-1) that makes an alert aggressive.
    net_premium_window_secs : int
        The net-premium signal: 0DTE net premium (calls bought minus sold, minus puts bought minus
        sold) summed over this many seconds of 1-second ``UwFlowBar`` s.
    adapter_filters : bool
        Filter in the live adapter (subscription metadata, evaluated in Rust) and take the net
        premium from live flow bars. Set False in a backtest, where data comes from a catalog
        unfiltered: the same conditions then run here, and the net premium is UW's net flow.
    """

    tickers: tuple[str, ...] = ("SPY", "QQQ")
    min_premium: float = 250_000.0
    min_ask_share: float = 0.6
    net_premium_window_secs: int = 300
    adapter_filters: bool = True


@dataclass
class ZeroDteFlowSummary:
    """
    What ``ZeroDteFlowStrategy`` saw and decided.
    """

    alerts: int = 0
    prints: int = 0
    bars: int = 0
    decisions: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    net_premium: dict[str, float] = field(default_factory=dict)
    net_flow_updates: int = 0
    feed_states: list[str] = field(default_factory=list)


class ZeroDteFlowStrategy(Strategy):
    """
    Follows large aggressive same-day option flow when the ticker's net premium agrees.

    It subscribes, with filters evaluated in the adapter's Rust core, to 0DTE flow alerts above
    ``min_premium`` on ``tickers``, to each ticker's 1-second 0DTE flow bars (the option prints
    summed in Rust, one object a second instead of every print), and to the feed status. The
    net-premium signal is the bars' net premium over the last ``net_premium_window_secs``. A call
    alert mostly bought at the ask while net call premium leads is a long-call decision; a put
    alert mostly bought at the ask while net put premium leads is a long-put decision. The
    strategy logs its decisions (the demo has no execution client); route them to Interactive
    Brokers by submitting orders for ``alert.instrument_id``, which already uses IB's symbology.
    """

    def __init__(self, config: ZeroDteFlowConfig | None = None) -> None:
        super().__init__(config or ZeroDteFlowConfig())
        self._cfg = config or ZeroDteFlowConfig()
        self.summary = ZeroDteFlowSummary()
        tickers = ",".join(self._cfg.tickers)
        self._net_ticks: dict[tuple[str, str], float] = {}
        # Per ticker: the window's bars as (end, net premium), and their sum.
        self._window: dict[str, deque[tuple[int, float]]] = defaultdict(deque)
        self._window_sum: dict[str, float] = defaultdict(float)
        if not self._cfg.adapter_filters:
            self._types = [DataType(t) for t in (UwFlowAlert, UwOptionTrade, UwNetFlow, UwNetPremTick)]
            return
        self._types = [
            DataType(
                UwFlowAlert,
                metadata={"ticker": tickers, "expiry": "0dte", "min_premium": self._cfg.min_premium},
            ),
            *(
                DataType(UwFlowBar, metadata={"ticker": t, "interval": "1s", "expiry": "0dte"})
                for t in self._cfg.tickers
            ),
            DataType(UwFeedStatus),
        ]

    def on_start(self) -> None:
        for data_type in self._types:
            self.subscribe_data(data_type, client_id=UW_CLIENT_ID)

    def on_stop(self) -> None:
        for data_type in self._types:
            self.unsubscribe_data(data_type, client_id=UW_CLIENT_ID)

    def _wanted(self, ticker: str | None, expiry: str | None, ts_event: int) -> bool:
        # What the adapter's metadata filters do live; needed only for unfiltered (catalog) data.
        if self._cfg.adapter_filters:
            return True
        return ticker in self._cfg.tickers and expiry == ny_date(ts_event)

    def on_data(self, data) -> None:
        if isinstance(data, UwFlowAlert):
            if self._wanted(data.ticker, data.expiry, data.ts_event) and (
                self._cfg.adapter_filters or data.total_premium >= self._cfg.min_premium
            ):
                self._on_alert(data)
        elif isinstance(data, UwFlowBar):
            self._on_bar(data)
        elif isinstance(data, UwOptionTrade):
            if self._wanted(data.underlying_symbol, data.expiry, data.ts_event):
                self.summary.prints += 1
        elif isinstance(data, UwNetPremTick):
            # REST history's per-minute ticks, cumulated per session: the net flow of a backtest.
            ticker = data.ticker or "?"
            key = (ticker, ny_date(data.ts_event))
            net = self._net_ticks.get(key, 0.0) + (data.net_call_premium or 0.0) - (data.net_put_premium or 0.0)
            self._net_ticks[key] = net
            self.summary.net_flow_updates += 1
            self.summary.net_premium[ticker] = net
        elif isinstance(data, UwNetFlow):
            self.summary.net_flow_updates += 1
            self.summary.net_premium[data.ticker or "?"] = (data.net_call_prem or 0.0) - (data.net_put_prem or 0.0)
        elif isinstance(data, UwFeedStatus):
            self.summary.feed_states.append(data.status)
            if data.status in ("not_entitled", "stale", "overflow", "join_refused"):
                self.log.warning(f"UW feed {data.status}: {data.detail}")

    def _on_bar(self, bar: UwFlowBar) -> None:
        self.summary.bars += 1
        self.summary.prints += bar.prints
        window, ticker = self._window[bar.ticker], bar.ticker
        window.append((bar.ts_event, bar.net_premium))
        self._window_sum[ticker] += bar.net_premium
        horizon = bar.ts_event - self._cfg.net_premium_window_secs * 1_000_000_000
        while window and window[0][0] <= horizon:
            self._window_sum[ticker] -= window.popleft()[1]
        self.summary.net_premium[ticker] = self._window_sum[ticker]

    def _on_alert(self, alert: UwFlowAlert) -> None:
        self.summary.alerts += 1
        ask_share = (alert.total_ask_side_prem or 0.0) / alert.total_premium if alert.total_premium else 0.0
        if ask_share < self._cfg.min_ask_share:
            self.summary.skipped["not aggressive"] += 1
            return
        net = self.summary.net_premium.get(alert.ticker)
        if net is None:
            self.summary.skipped["no net flow yet"] += 1
            return
        is_call = alert.option_type == "call"
        if (net > 0) != is_call:
            self.summary.skipped["net flow disagrees"] += 1
            return
        decision = (
            f"BUY 1 {alert.instrument_id} ({'call' if is_call else 'put'}, ${alert.total_premium:,.0f} flow, "
            f"{ask_share:.0%} at the ask, {alert.ticker} net premium {net:+,.0f})"
        )
        self.summary.decisions.append(decision)
        self.log.info(f"DECISION {decision}")
