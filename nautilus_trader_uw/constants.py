"""
Names shared by the client, the factory and strategies.
"""

from typing import Final

from nautilus_trader.model.identifiers import ClientId

from nautilus_trader_uw import _core


UW: Final[str] = _core.UW_CLIENT_NAME
"""The client name: the ``data_clients`` key and the ``ClientId`` value."""

UW_CLIENT_ID: Final[ClientId] = ClientId(UW)
"""Pass as ``client_id`` to ``subscribe_data`` / ``request_data``."""
