"""The web page's server time for a ~6,000-字 report: serving the document, and a save.

The report is benchmarks/render.py's: tests/fixtures/answers/2022-liuge.yaml extended to
`--zishu` 字. Requests go through the real Starlette routes in-process (Starlette's test
client: routing, authentication by signed link, JSON, the database), without a network.

Timed, each `--runs` times after `--warmup` untimed rounds:
  GET /api/document     the whole page's data: render, review, answers located (≤ 50 ms)
  POST /api/save        one answer changed, version-checked and committed    (≤ 20 ms)

    python benchmarks/web.py
    python benchmarks/web.py --runs 100 --zishu 8000
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fixture_answers, liuge, summary_ms, verdict  # noqa: E402
from render import extended  # noqa: E402

from bot.core import engine  # noqa: E402
from bot.report.render import build_document  # noqa: E402
from bot.service import Interviews  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.web.api import RateLimit, routes  # noqa: E402
from bot.web.auth import Gate  # noqa: E402

TARGET_PAGE_MS = 50.0
TARGET_SAVE_MS = 20.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=50, help="timed runs per measurement")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    p.add_argument("--zishu", type=int, default=6000, help="report size to build, in 字")
    args = p.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.applications import Starlette
        from starlette.testclient import TestClient

    flow = liuge()
    answers, date = fixture_answers(flow)
    date = date or datetime.date(2026, 1, 8)
    answers = extended(flow, answers, date, args.zishu)
    zishu = build_document(flow, answers, date=date).zishu
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage(Path(folder) / "bench.db")
        service = Interviews(storage, {flow.id: flow})
        interview = storage.create("tg:1", flow, engine.adopt(flow, answers))
        app = Starlette(routes=routes(service, Gate(storage), lambda: date, limit=RateLimit(10**9)))
        client = TestClient(app)
        headers = {"Authorization": f"link {storage.new_link_token('tg:1')}"}

        def page() -> None:
            response = client.get(f"/api/document?interview={interview.id}", headers=headers)
            assert response.status_code == 200, response.text

        version = storage.get(interview.id).version
        original = answers["t1_good"] or "能坚持学习。"

        def save(i: int) -> None:
            nonlocal version
            body = {
                "interview": interview.id,
                "key": "t1_good",
                "text": f"{original}（第{i}次修改）",
                "version": version,
            }
            response = client.post("/api/save", json=body, headers=headers)
            assert response.status_code == 200, response.text
            version = response.json()["version"]

        results = []
        for name, fn, target in (
            ("GET /api/document", lambda i: page(), TARGET_PAGE_MS),
            ("POST /api/save", save, TARGET_SAVE_MS),
        ):
            for i in range(args.warmup):
                fn(-i - 1)
            times = []
            for i in range(args.runs):
                t = time.perf_counter()
                fn(i)
                times.append(time.perf_counter() - t)
            median = sorted(times)[len(times) // 2] * 1000
            results.append(median <= target)
            print(
                f"{name:<20} {summary_ms(times)}  target ≤ {target:.0f} ms: {verdict(median <= target)}"
            )
        storage.close()
    print(f"report: {zishu} 字, flow {flow.id}, {args.runs} runs each")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
