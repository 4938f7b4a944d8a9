"""
Example strategies that consume UW data. ``FlowWatcher`` is what ``uw-nt demo`` runs.
"""

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw.types import UwFlowAlert
from nautilus_trader_uw.types import UwOptionTrade


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
