"""
``uw-nt doctor``: checks a UW key end to end and says what to fix.
"""

import asyncio
from dataclasses import dataclass

import pandas as pd

from nautilus_trader_uw import _core
from nautilus_trader_uw.config import UwApiKey
from nautilus_trader_uw.config import reveal_key


@dataclass
class Check:
    """
    One check's outcome.
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_rest(client: _core.UwRestClient) -> Check:
    try:
        client.get("/api/option-trades/flow-alerts?limit=1")
    except _core.UwRequestError as e:
        if e.kind == "unauthorized" and "HTTP 403" in str(e):
            # UW knows the token and refuses what it asks for (plan, add-on, lookback).
            fix = "the token is valid but its plan does not cover this request: UW's message above names what it needs"
            return Check("REST API", False, str(e), fix)
        fixes = {
            "unauthorized": "the token is wrong or expired: copy it again from your UW API dashboard",
            "daily_quota": "the daily quota is spent; it resets at 20:00 New York time",
            "transport": "UW is unreachable from here: check the network, proxy and base URL",
        }
        return Check("REST API", False, str(e), fixes.get(e.kind, "see the error above"))
    return Check("REST API", True, "authenticated request answered")


def check_quota(client: _core.UwRestClient) -> Check:
    stats = client.stats()
    limit = stats["daily_limit"]
    used = stats["daily_count"]
    if stats["daily_exhausted_until_ns"]:
        resets = pd.Timestamp(stats["daily_exhausted_until_ns"], tz="UTC").tz_convert("America/New_York")
        return Check("quota", False, f"daily quota spent ({used}/{limit})", f"wait until {resets:%Y-%m-%d %H:%M %Z}")
    text = (
        f"{used} of {limit} requests used today" if limit else f"{used} requests used today (no daily limit reported)"
    )
    return Check("quota", True, f"{text}; {stats['minute_remaining']}/{stats['per_minute']} left this minute")


def check_history(client: _core.UwRestClient, days_back: int) -> Check:
    day = (pd.Timestamp.now(tz="America/New_York") - pd.tseries.offsets.BDay(days_back)).strftime("%Y-%m-%d")
    try:
        client.get(f"/api/market/market-tide?date={day}")
    except _core.UwRequestError as e:
        if e.kind == "unauthorized":
            return Check(
                "historic depth",
                False,
                f"no data for {day} ({days_back} trading days back): {e}",
                "your plan's lookback is shorter; the message names the earliest date you can request",
            )
        return Check("historic depth", False, str(e), "retry later")
    return Check("historic depth", True, f"data available for {day} ({days_back} trading days back)")


def check_websocket(
    url: str,
    api_key: str | UwApiKey | None,
    timeout: float = 8.0,
    hold: float = 1.5,
) -> Check:
    """
    Connect, and once connected keep the connection ``hold`` seconds: for a plan without
    WebSocket access UW accepts the upgrade and closes the socket straight after.
    """
    loop = asyncio.new_event_loop()
    statuses: list = []

    def on_batch(objects: list, routes: list, logs: list) -> None:
        statuses.extend(o for o in objects if getattr(o, "status", None))

    feed = _core.UwLiveFeed(url=url, api_key=reveal_key(api_key), max_reconnect_attempts=0, reconnect_initial_secs=0.1)
    feed.start(loop, on_batch)
    feed.subscribe("UwFeedStatus", [])

    async def wait() -> None:
        deadline = loop.time() + timeout
        while loop.time() < deadline and not statuses:
            await asyncio.sleep(0.05)
        if statuses and statuses[0].status == "connected":
            held_until = loop.time() + hold
            while loop.time() < held_until and len(statuses) == 1:
                await asyncio.sleep(0.05)

    try:
        loop.run_until_complete(wait())
        # The connect starts with `start`: an upgrade accepted and closed before the subscription
        # above reaches it shows only the loss in `statuses`, so the count of accepted upgrades
        # is what tells "accepted, then closed" from "never connected".
        upgraded = feed.stats()["connects"] > 0
    finally:
        feed.close()
        loop.close()
    if not statuses:
        return Check("WebSocket", False, f"no answer within {timeout:.0f}s", "check the network and base_url_ws")
    status = statuses[0]
    if upgraded and (status.status != "connected" or len(statuses) > 1):
        lost = statuses[1] if status.status == "connected" else status
        return Check(
            "WebSocket",
            False,
            f"UW accepted the upgrade and closed the connection within {hold:g}s ({lost.detail or lost.status})",
            "UW does this for a plan without WebSocket access (Advanced plan); REST still works",
        )
    if status.status == "connected":
        return Check("WebSocket", True, f"upgrade accepted and held {hold:g}s (the plan includes WebSocket streaming)")
    if status.status == "not_entitled":
        return Check(
            "WebSocket",
            False,
            status.detail or "HTTP 401 on the upgrade",
            "WebSocket access needs UW's Advanced plan (or the token is invalid); REST still works",
        )
    return Check("WebSocket", False, status.detail or status.status, "check the network and base_url_ws")


def run_doctor(
    http_url: str = _core.UW_HTTP_BASE_URL,
    ws_url: str = _core.UW_WS_URL,
    api_key: str | UwApiKey | None = None,
    days_back: int = 60,
) -> list[Check]:
    """
    Run every check; the REST checks are skipped (and reported) when no token is found.
    """
    try:
        client = _core.UwRestClient(base_url=http_url, api_key=reveal_key(api_key), max_retries=1)
    except ValueError as e:
        return [
            Check(
                "API key",
                False,
                str(e),
                f"export {_core.UW_API_KEY_ENV}=<your token> (or pass --api-key; --sim checks the built-in simulator)",
            ),
        ]
    checks = [Check("API key", True, "found")]
    rest = check_rest(client)
    checks.append(rest)
    if rest.ok:
        checks.append(check_history(client, days_back))
        checks.append(check_quota(client))
    checks.append(check_websocket(ws_url, api_key))
    return checks


def print_report(checks: list[Check]) -> bool:
    """
    Print the checks; return whether all passed.
    """
    for c in checks:
        mark = "ok  " if c.ok else "FAIL"
        print(f"[{mark}] {c.name:<15} {c.detail}")
        if not c.ok and c.fix:
            print(f"       fix: {c.fix}")
    ok = all(c.ok for c in checks)
    print("all checks passed" if ok else "some checks failed: see the fixes above")
    return ok
