"""`ost serve`'s socket: connections accepted on it send small writes at once (TCP_NODELAY), as
asyncio sets it on connections of a TCP socket; without it, each response on a kept-alive
connection waited some 40 ms for the client's delayed acknowledgement."""

from __future__ import annotations

import asyncio
import socket

from pipeline.cli_console import listening_socket


def test_connections_of_the_console_socket_send_without_delay() -> None:
    listener = listening_socket("127.0.0.1", 0)
    accepted: list[int] = []

    async def serve_one() -> None:
        def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        while not accepted:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(asyncio.wait_for(serve_one(), timeout=10))
    assert listener.proto == socket.IPPROTO_TCP
    assert accepted and accepted[0] != 0
