"""
Fault soak: a real TradingNode on the simulator, the connection dropped every few seconds, and what
the strategy saw compared with what UW (the simulator) sent.

Reports flow alerts lost, duplicated and out of order (by UW event time), option prints duplicated
and out of order, the reconnects and back-fills, and writes ``bench-results/fault-soak.json``.

Usage: python scripts/fault_soak.py [--minutes 5] [--drop-every 5] [--alerts 200] [--prints 5000]
"""

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import DataType

from nautilus_trader_uw import UW
from nautilus_trader_uw import UW_CLIENT_ID
from nautilus_trader_uw import UnusualWhalesLiveDataClientFactory
from nautilus_trader_uw import UwFeedStatus
from nautilus_trader_uw import UwFlowAlert
from nautilus_trader_uw import UwOptionTrade
from nautilus_trader_uw.sim import UwSimServer
from nautilus_trader_uw.sim import sim_client_config


class Tally(Actor):
    """
    Counts what arrives, in arrival order, without keeping the objects.
    """

    def __init__(self) -> None:
        super().__init__(ActorConfig(component_id="Tally"))
        self.alert_ids: list[str] = []
        self.alert_late = 0
        self.last_alert_ts = 0
        self.first_alert_ts = 0
        self.print_ids: Counter = Counter()
        self.prints = 0
        self.print_late = 0
        self.last_print_ts = 0
        self.first_print_ts = 0
        self.statuses: Counter = Counter()

    def on_start(self) -> None:
        for dt in (DataType(UwFlowAlert), DataType(UwOptionTrade, metadata={"ticker": "SPY"}), DataType(UwFeedStatus)):
            self.subscribe_data(dt, client_id=UW_CLIENT_ID)

    def on_data(self, data) -> None:
        if isinstance(data, UwFlowAlert):
            self.alert_ids.append(data.id)
            self.first_alert_ts = self.first_alert_ts or data.ts_event
            if data.ts_event < self.last_alert_ts:
                self.alert_late += 1
            self.last_alert_ts = max(self.last_alert_ts, data.ts_event)
        elif isinstance(data, UwOptionTrade):
            self.prints += 1
            self.first_print_ts = self.first_print_ts or data.ts_event
            self.print_ids[data.id] += 1
            if data.ts_event < self.last_print_ts:
                self.print_late += 1
            self.last_print_ts = max(self.last_print_ts, data.ts_event)
        elif isinstance(data, UwFeedStatus):
            self.statuses[data.status] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--drop-every", type=float, default=5.0, help="seconds between forced drops")
    parser.add_argument("--alerts", type=float, default=200.0, help="flow alerts per second")
    parser.add_argument("--prints", type=float, default=5000.0, help="option prints per second")
    parser.add_argument("--out", default="bench-results/fault-soak.json")
    args = parser.parse_args()
    seconds = args.minutes * 60
    with UwSimServer(
        rate=0.0, rates={"flow-alerts": args.alerts, "option_trades": args.prints}, tickers=["SPY"]
    ) as sim:
        config = TradingNodeConfig(
            trader_id="SOAK-001",
            logging=LoggingConfig(log_level="WARNING"),
            data_clients={UW: sim_client_config(sim, reconnect_initial_secs=0.2, reconnect_max_secs=1.0)},
            timeout_connection=10.0,
        )
        node = TradingNode(config=config, loop=asyncio.new_event_loop())
        tally = Tally()
        node.trader.add_actor(tally)
        node.add_data_client_factory(UW, UnusualWhalesLiveDataClientFactory)
        node.build()
        loop = node.get_event_loop()
        started = time.monotonic()
        drops = 0

        def drop() -> None:
            nonlocal drops
            if time.monotonic() - started < seconds - args.drop_every:
                drops += 1
                sim.drop_connections()
                loop.call_later(args.drop_every, drop)

        # The simulator keeps the ids it generated for a while only: collect them as the run goes.
        sent_alerts: set[str] = set()
        sent_prints: set[str] = set()

        def collect() -> None:
            # From the first record the strategy received: what came before it was never subscribed.
            if tally.first_alert_ts:
                sent_alerts.update(sim.flow_alerts_between("SPY", tally.first_alert_ts, 2**63 - 1))
            if tally.first_print_ts:
                sent_prints.update(sim.option_trades_between("SPY", tally.first_print_ts, 2**63 - 1))
            loop.call_later(5.0, collect)

        loop.call_later(args.drop_every, drop)
        loop.call_later(1.0, collect)
        loop.call_later(seconds, node.stop)
        try:
            node.run()
        finally:
            node.dispose()
        ids = tally.alert_ids
        if not ids:
            print("no flow alerts arrived", file=sys.stderr)
            return 1
        # The window: from the first to the newest record delivered (the stop cuts off the rest).
        alerts_in_window = set(sim.flow_alerts_between("SPY", tally.first_alert_ts, tally.last_alert_ts))
        prints_in_window = set(sim.option_trades_between("SPY", tally.first_print_ts, tally.last_print_ts))
        tail_alerts = set(sim.flow_alerts_between("SPY", tally.last_alert_ts + 1, 2**63 - 1))
        tail_prints = set(sim.option_trades_between("SPY", tally.last_print_ts + 1, 2**63 - 1))
    sent = (sent_alerts | alerts_in_window) - tail_alerts
    sent_p = (sent_prints | prints_in_window) - tail_prints
    delivered = set(ids)
    window_lost = len(sent - delivered)
    result = {
        "minutes": args.minutes,
        "drops": drops,
        "alerts_delivered": len(ids),
        "alerts_sent": len(sent),
        "alerts_lost": window_lost,
        "prints_sent": len(sent_p),
        "prints_lost": len(sent_p - set(tally.print_ids)),
        "alerts_duplicated": len(ids) - len(delivered),
        "alerts_out_of_order": tally.alert_late,
        "prints_delivered": tally.prints,
        "prints_duplicated": sum(n - 1 for n in tally.print_ids.values() if n > 1),
        "prints_out_of_order": tally.print_late,
        "statuses": dict(tally.statuses),
    }
    print(json.dumps(result, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
