from __future__ import annotations

import asyncio

from telegram.request import HTTPXRequest

from bot.telegram.request import FewConnections


def test_requests_beyond_the_connections_wait_their_turn_and_all_complete(monkeypatch) -> None:
    running, most = 0, 0

    async def slow_request(self, url, method, **kwargs):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return 200, url.encode()

    monkeypatch.setattr(HTTPXRequest, "do_request", slow_request)

    async def main() -> list[tuple[int, bytes]]:
        request = FewConnections(connections=3)
        return await asyncio.gather(
            *(request.do_request(f"u{i}", "POST", pool_timeout=0.001) for i in range(20))
        )

    results = asyncio.run(main())
    assert results == [(200, f"u{i}".encode()) for i in range(20)]
    assert most == 3
