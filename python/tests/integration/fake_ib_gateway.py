"""
A stand-in for IB Gateway that completes the TWS API handshake and then stays silent.

The Interactive Brokers data client only reports itself connected (and a node only starts its
strategies) once TWS has answered the handshake, sent ``nextValidId`` and ``managedAccounts``. This
server does exactly that on loopback, so a node with IB as its default route can run in CI without
a gateway. It answers nothing else: no market data, no orders.
"""

import socket
import struct
import threading
import time


SERVER_VERSION = 176  # below the protobuf-era versions, so the text protocol is used
ACCOUNT = "DU0000000"


def _frame(*fields: str) -> bytes:
    payload = b"".join(f.encode() + b"\0" for f in fields)
    return struct.pack(">I", len(payload)) + payload


def _read_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


class FakeIbGateway:
    """
    Accepts TWS API clients on 127.0.0.1 (``port`` after ``start``) until ``stop``.
    """

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port: int = self._sock.getsockname()[1]
        self.handshakes = 0
        self._stopped = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="fake-ib-gateway", daemon=True)

    def start(self) -> "FakeIbGateway":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()
        for conn in self._conns:
            conn.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        try:
            assert _read_exact(conn, 4) == b"API\0"
            (length,) = struct.unpack(">I", _read_exact(conn, 4))
            _read_exact(conn, length)  # "v100..187": the client's version range
            conn.sendall(_frame(str(SERVER_VERSION), time.strftime("%Y%m%d %H:%M:%S UTC")))
            (length,) = struct.unpack(">I", _read_exact(conn, 4))
            _read_exact(conn, length)  # startApi
            conn.sendall(_frame("9", "1", "1"))  # nextValidId(1)
            conn.sendall(_frame("15", "1", ACCOUNT))  # managedAccounts
            self.handshakes += 1
            while not self._stopped.is_set():
                (length,) = struct.unpack(">I", _read_exact(conn, 4))
                _read_exact(conn, length)  # requests are accepted and left unanswered
        except (OSError, ConnectionError, AssertionError, struct.error):
            conn.close()
