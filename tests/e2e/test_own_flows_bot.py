"""The bot with an organisation's own flows folder (BOT_FLOWS): the README's example, played."""

from __future__ import annotations

import io

import docx

from bot.flows import load_all
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import next_user
from tests.e2e.player import play
from tests.own_flows import ANSWERS, write_readme_example
from tests.typed import typed_texts


def test_the_bot_offers_the_own_flow_and_writes_its_report(api, tmp_path):
    myflows = write_readme_example(tmp_path)
    flow = load_all(myflows)["county-2025"]
    bot = BotProcess(
        api, tmp_path / "bot.db", tmp_path / "bot.log", env={"BOT_FLOWS": str(myflows)}
    )
    bot.start()
    try:
        user = api.user(next_user())
        user.send("/start")
        menu = user.wait_for(lambda m: m.buttons)
        titles = [row[0] for row in menu.buttons]
        assert flow.title in titles and load_all()["zuzhi"].title in titles
        user.click(flow.title)
        user.wait_for(lambda m: "第1/" in m.text)
        play(user, flow, ANSWERS)
        assert "全部问题已答完" in user.last.text
        user.click("生成报告")
        user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), timeout=30)
        [report] = [d for d in user.documents if d.file_name.endswith(".docx")]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.data)).paragraphs)
        assert [p for p in typed_texts(flow, ANSWERS) if p not in text] == []
    finally:
        bot.stop()
