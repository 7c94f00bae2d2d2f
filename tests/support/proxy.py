"""A TCP proxy on loopback that a test can cut and restore (a database that goes away and comes back), or freeze
and thaw (a link that still accepts TCP but carries nothing, as a hung server or a dead route does)."""

from __future__ import annotations

import socket
import threading


class TcpProxy:
    """Forwards a free loopback port to `target`; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.flowing = threading.Event()
        self.flowing.set()
        self.held: list[socket.socket] = []
        self.connections: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            if not self.flowing.is_set():  # frozen: the connection is accepted and then never answered
                with self._lock:
                    self.held.append(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def cut(self) -> None:
        """The database goes away: open connections drop, new ones are refused."""
        self.up = False
        with self._lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                    connection.close()
                except OSError:
                    pass
            self.connections.clear()

    def freeze(self) -> None:
        """The link freezes: connections stay open and new ones are accepted, but nothing is carried either way."""
        self.flowing.clear()

    def thaw(self) -> None:
        """The link carries again what it held (new connections accepted while frozen stay unanswered)."""
        self.flowing.set()

    def restore(self) -> None:
        """The database is back."""
        self.up = True

    def close(self) -> None:
        """Stop listening."""
        self.thaw()
        with self._lock:
            self.connections += self.held
            self.held.clear()
        self.cut()
        self.listener.close()
