"""
SPY 0DTE net premium, one flow bar a second, from a recording of the live feed.

    python examples/flow_bars_research.py [RECORDING] [--ticker SPY] [--interval 1s] [--out FILE.png]

RECORDING is a JSONL recording (``record_path`` in the client config, or ``uw-nt record``). Without
one, the script records ``--seconds`` of the built-in UW simulator first, so it runs without a key.

The bars come from ``nautilus_trader_uw.bars.flow_bars_from_recording``: the same Rust aggregator a
live ``subscribe_data(DataType(UwFlowBar, ...))`` runs, over the prints in the order they arrived, so
the chart shows the bars a strategy received (docs/integration.md, "Flow bars"). It plots each
bar's net premium (calls bought minus sold, minus puts bought minus sold) and its running sum, and
prints a summary.
"""

import argparse
import tempfile
from pathlib import Path

from nautilus_trader_uw.bars import flow_bars_from_recording


def record_simulated_session(seconds: float, ticker: str, out_dir: Path) -> Path:
    from nautilus_trader_uw.history import record
    from nautilus_trader_uw.sim import UwSimServer

    with UwSimServer(rate=0.0, rates={"option_trades": 200.0}, tickers=[ticker]) as sim:
        record([("UwOptionTrade", {"ticker": ticker})], seconds, out_dir, url=sim.ws_url, api_key=sim.token)
    return out_dir / "frames.jsonl"


def plot(bars: list, title: str, out: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("plotting needs matplotlib: pip install 'unusual-whales-nt[examples]'") from None
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    ends = [(b.ts_event - bars[0].ts_event) / 1e9 for b in bars]
    net = [b.net_premium for b in bars]
    running = [sum(net[: i + 1]) for i in range(len(net))]
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 * (ends[1] - ends[0]) if len(ends) > 1 else 0.8
    ax.bar(ends, net, width=width, color=["g" if n >= 0 else "r" for n in net])
    ax.set_xlabel("seconds since the first bar")
    ax.set_ylabel("net premium per bar (USD)")
    ax2 = ax.twinx()
    ax2.plot(ends, running, color="k", linewidth=1)
    ax2.set_ylabel("running net premium (USD)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("recording", nargs="?", help="JSONL recording (default: record the simulator first)")
    parser.add_argument("--ticker", default="SPY")
    parser.add_argument("--interval", default="1s")
    parser.add_argument("--expiry", default="0dte", help="0dte, a date YYYY-MM-DD, or all")
    parser.add_argument("--seconds", type=float, default=30.0, help="simulator recording length")
    parser.add_argument("--out", default="net_premium.png", help="chart file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        recording = Path(args.recording) if args.recording else None
        if recording is None:
            recording = record_simulated_session(args.seconds, args.ticker, Path(tmp))
        metadata = {"ticker": args.ticker, "interval": args.interval, "expiry": args.expiry}
        bars = flow_bars_from_recording(recording, metadata)
    if not bars:
        raise SystemExit(f"no {args.ticker} {args.expiry} option prints in {recording}")
    total = sum(b.net_premium for b in bars)
    biggest = max(bars, key=lambda b: abs(b.net_premium))
    prints = sum(b.prints for b in bars)
    print(f"{len(bars)} {args.interval} bars of {args.ticker} {args.expiry} prints, {prints} prints")
    print(f"net premium {total:+,.0f} USD; strongest bar {biggest.net_premium:+,.0f} USD ending at {biggest.ts_event}")
    plot(bars, f"{args.ticker} {args.expiry} net premium, {args.interval} flow bars", Path(args.out))
    print(f"chart written to {args.out}")


if __name__ == "__main__":
    main()
