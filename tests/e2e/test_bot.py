"""The real bot (`duizhao run` in a child process) against the fake Bot API, driven by users."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import docx
import pytest

from bot.core.answersfile import parse
from bot.core.conditions import holds
from bot.core.model import Flow
from bot.flows import load_all
from bot.report.render import report_name
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import next_user
from tests.e2e.fakeapi import FakeUser
from tests.e2e.player import answer_one, play
from tests.typed import typed_texts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"
FLOWS = load_all()
FIRST_FLOW_TITLE = FLOWS["2022-liuge"].title


def start_flow(user: FakeUser, title: str = FIRST_FLOW_TITLE, setup: bool = True) -> None:
    user.send("/start")
    user.wait_for(lambda m: m.buttons and any(title in label for row in m.buttons for label in row))
    user.click(title)
    first = user.wait_for(lambda m: "第1/" in m.text)
    if setup and first.buttons and ["是", "否"] in first.buttons:  # "own theme titles?": no
        user.click("否")
        user.wait_for(lambda m: "第2/" in m.text)


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_commands_are_registered_with_chinese_descriptions(api, running):
    names = [c["command"] for c in api.commands()]
    assert names[:4] == ["start", "new", "resume", "list"]
    assert {"edit", "status", "preview", "report", "export", "delete", "help", "cancel"} <= set(
        names
    )


def test_start_greets_and_offers_the_flows(user):
    user.send("/start")
    reply = user.wait_for(lambda m: m.buttons)
    assert "自动保存" in user.messages[0].text
    assert [row[0] for row in reply.buttons] == [f.title for f in FLOWS.values()]


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_a_whole_interview_ends_in_a_docx_holding_every_answer(user, flow_id):
    flow = FLOWS[flow_id]
    _, data = parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)
    start_flow(user, flow.title, setup=False)
    play(user, flow, data.answers)
    review = user.last
    assert "全部问题已答完" in review.text
    user.click("生成报告")
    user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), timeout=30)
    docx_file = next(d for d in user.documents if d.file_name.endswith(".docx"))
    assert docx_file.file_name == f"{report_name(flow, data.answers)}.docx"
    assert docx.Document(io.BytesIO(docx_file.data)).core_properties.author == (
        data.answers.get("name") or ""
    )
    text = docx_text(docx_file.data)
    missing = [p for p in typed_texts(flow, data.answers) if p not in text]
    assert not missing
    chat_text = "".join(m.text or "" for m in user.messages)
    assert all(len(m.text or "") <= 4096 for m in user.messages)
    assert flow.sections[0].title in chat_text


def test_one_message_is_the_answer_and_补充_adds_to_it(user):
    start_flow(user)
    user.send("第一段内容")
    saved = user.wait_reply()
    assert saved.text.startswith("已保存（5 字）")
    assert "补充" in [label for row in saved.buttons for label in row]
    user.click("补充")
    assert "请发送要补充的内容" in user.wait_reply().text
    user.send("第二段")
    back = user.wait_reply()
    assert back.text.startswith("已保存（9 字）")  # 补充 continues the sentence: no 。 at the join
    user.click("上一步", back)
    assert "当前答案：第一段内容，第二段" in user.wait_reply().text


def test_words_meaning_done_are_never_stored(user):
    start_flow(user)
    user.send("第一段内容")
    user.wait_reply()
    user.click("补充")
    user.wait_reply()
    user.send("、done")
    assert user.wait_reply().text.startswith("已保留原答案")
    user.send("/back")
    assert "当前答案：第一段内容\n" in user.wait_reply().text + "\n"


def test_user_text_with_html_is_shown_literally(user):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send("<b>学习</b> & 作风_不实*")
    user.wait_reply()
    user.click("上一步")
    reply = user.wait_reply()
    assert "当前答案：<b>学习</b> & 作风_不实*" in reply.text


def test_a_stale_button_re_shows_the_current_question(user):
    start_flow(user)
    first = user.last
    user.click("跳过", first)
    user.wait_reply()
    user.click("跳过", first)  # the same old button again: a double tap
    reply = user.wait_reply()
    assert reply.text.startswith("这个按钮已经过期")
    assert "【第1个问题】" in reply.text


@pytest.mark.parametrize(
    "data",
    ["garbage", "1|t1_good|o|", "99999|t1_good|s|", "x|y|z|w", "1|review|e|"],
)
def test_forged_buttons_change_nothing(user, running, data):
    start_flow(user)
    before = dump_db(running.db)
    user.click_data(data, user.last.message_id)
    reply = user.wait_reply()
    assert reply.text.startswith("这个按钮已经过期")
    assert dump_db(running.db) == before


def test_another_users_interview_cannot_be_deleted_or_resumed(api, user, running):
    start_flow(user)
    victim_id = interview_ids(running.db, user.id)[0]
    thief = api.user(next_user())
    thief.send("/start")
    thief.wait_for(lambda m: m.buttons)
    for action in ("r", "x", "y"):
        thief.click_data(f"{victim_id}||{action}|", thief.last.message_id)
        thief.wait_reply()
        assert "过期" in thief.last.text
    assert interview_ids(running.db, user.id) == [victim_id]


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        (lambda u: u.send_sticker(), "我只能读文字"),
        (lambda u: u.send_photo(), "我只能读文字"),
        (lambda u: u.send_voice(), "我只能读文字"),
        (lambda u: u.send_document(), "我只能读取 Word（.docx）或文本（.txt）文件"),
        (lambda u: u.send_location(), "我只能读文字"),
        (lambda u: u.send_contact(), "我只能读文字"),
    ],
    ids=["sticker", "photo", "voice", "document", "location", "contact"],
)
def test_non_text_messages_are_answered_and_not_stored(user, running, send, expected):
    start_flow(user)
    before = dump_db(running.db)
    send(user)
    assert user.wait_reply().text.startswith(expected)
    assert dump_db(running.db) == before


def test_an_edited_message_does_not_change_the_answer(user, running):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    message_id = user.send("学习不够深入")
    user.wait_reply()
    before = dump_db(running.db)
    user.edit(message_id, "改了")
    assert "/edit" in user.wait_reply().text
    assert dump_db(running.db) == before


def test_two_users_interleaved_do_not_cross(api, running):
    alice, bob = api.user(next_user()), api.user(next_user())
    start_flow(alice)
    start_flow(bob)
    alice.click("跳过")
    bob.click("跳过")
    alice.wait_reply()
    bob.wait_reply()
    alice.send("甲的问题")
    bob.send("乙的问题")
    alice.wait_reply()
    bob.wait_reply()
    alice.click("上一步")
    bob.click("上一步")
    assert "当前答案：甲的问题" in alice.wait_reply().text
    assert "当前答案：乙的问题" in bob.wait_reply().text


def test_group_messages_are_not_recorded(api, running):
    before = dump_db(running.db)
    api.group_message(-100123, 4242, "/start")
    api.group_message(-100123, 4242, "随便说说")
    api.wait_idle()
    assert dump_db(running.db) == before
    assert "私聊" in api.messages(-100123)[0].text
    assert len(api.messages(-100123)) == 1


def test_status_preview_and_edit(user):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send("学习不够深入")
    user.wait_reply()
    user.send("/status")
    assert "已答 2 题" in user.wait_reply().text
    user.send("/preview")
    assert "学习不够深入" in user.wait_for(lambda m: "学习不够深入" in m.text).text
    user.send("/edit")
    user.wait_reply()
    user.click("学习不够深入")
    assert "当前答案：学习不够深入" in user.wait_reply().text
    user.send("学用结合有差距")
    reply = user.wait_reply()
    assert "具体表现" in reply.text


def test_delete_needs_confirmation_and_removes_everything(user, running):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send("要删除的答案")
    user.wait_reply()
    user.send("/delete")
    user.wait_reply()
    user.click("#")
    user.wait_reply()
    user.click("不删了")
    assert user.wait_reply().text == "好的，没有删除。"
    assert interview_ids(running.db, user.id)
    user.send("/delete")
    user.wait_reply()
    user.click("#")
    user.wait_reply()
    user.click("确定删除")
    assert user.wait_reply().text == "已删除。"
    assert interview_ids(running.db, user.id) == []
    assert "要删除的答案" not in dump_db(running.db)


def test_a_killed_bot_resumes_every_interview(own_api, tmp_path):
    api = own_api
    bot = BotProcess(api, tmp_path / "k.db", tmp_path / "k.log").start()
    user = api.user(next_user())
    try:
        start_flow(user)
        user.click("跳过")
        user.wait_reply()
        user.send("学习不够深入")
        user.wait_reply()
        user.send("第一段细节写得具体一些。")
        user.wait_reply()
        bot.kill()
        user.send("第二段细节")  # arrives while the bot is down
        bot.start()
        reply = user.wait_for(lambda m: m.text.startswith("已保存"))
        assert reply.text.startswith("已保存（17 字）")
        user.click("上一步")
        assert "当前答案：第一段细节写得具体一些。\n第二段细节" in user.wait_reply().text
    finally:
        bot.stop()


def test_a_user_not_on_the_allow_list_is_refused(own_api, tmp_path):
    api = own_api
    bot = BotProcess(api, tmp_path / "a.db", tmp_path / "a.log", allowed="1,2").start()
    stranger = api.user(next_user())
    try:
        stranger.send("/start")
        assert "没有使用权限" in stranger.wait_reply().text
        stranger.click_data("0||n|2022-liuge", stranger.last.message_id)
        api.wait_idle()
        assert "没有使用权限" in stranger.callback_answers[-1].get("text", "")
        assert interview_ids(tmp_path / "a.db", stranger.id) == []
    finally:
        bot.stop()


def test_a_missing_token_is_one_clear_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", str(tmp_path / "x.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "错误：缺少 BOT_TOKEN：请设置环境变量 BOT_TOKEN 或使用 --token（向 @BotFather 申请）"
    ]


def interview_ids(db: Path, user_id: int) -> list[int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select id from interviews where owner = ?", [f"tg:{user_id}"])
        return [r[0] for r in rows]


def dump_db(db: Path) -> str:
    """The interview data (not the inbox, which every update passes through)."""
    with sqlite3.connect(db) as conn:
        tables = ("interviews", "answers", "owners")
        return "\n".join(str(conn.execute(f"select * from {t}").fetchall()) for t in tables)


def test_deadline_is_set_shown_in_status_and_refused_when_not_a_date(user):
    start_flow(user)
    user.send("/deadline 下周五")
    assert user.wait_reply().text.startswith("“下周五”不是日期")
    user.send("/deadline 2099-12-20")
    assert user.wait_reply().text.startswith("已设置。截止日期 2099年12月20日，还有")
    user.send("/status")
    assert user.wait_reply().text.startswith("截止日期 2099年12月20日，还有")
    user.send("/deadline 取消")
    assert user.wait_reply().text == "已取消截止日期。"


def test_a_second_bot_on_the_same_token_stops_one_with_a_clear_line(own_api, tmp_path):
    first = BotProcess(own_api, tmp_path / "1.db", tmp_path / "1.log").start()
    second = BotProcess(own_api, tmp_path / "2.db", tmp_path / "2.log").start()
    try:
        first.process.wait(15)
        assert first.process.returncode == 2
        assert "另一个进程正在用同一个 BOT_TOKEN 运行机器人" in first.output()
        assert "Traceback" not in first.output()
    finally:
        first.stop()
        second.stop()


def test_guide_and_sample_phrasings_from_their_buttons(user):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send("学用结合有差距")
    detail = user.wait_reply()
    assert detail.buttons[0] == ["参考", "说明", "上一步"]
    user.click("说明")
    guide = user.wait_for(lambda m: m.text.startswith("说明\n"))
    assert len(guide.text) > 20
    again = user.wait_reply()  # the question again, under the explanation
    assert "这个问题在工作中具体表现在哪里？" in again.text and again.buttons
    user.click("参考", detail)
    samples = user.wait_for(lambda m: m.text.startswith("参考表述"))
    first = samples.text.splitlines()[1].removeprefix("1. ")
    assert first.count("××") == 1
    user.click("用第1条")
    asked = user.wait_reply()
    assert "这条参考表述里有 1 处“××”" in asked.text
    assert "第 1/1 处“××”（【？】处）填什么？" in asked.text
    user.send("3")
    saved = user.wait_reply()
    assert saved.text.startswith("已按您填的内容保存")
    user.click("上一步", saved)
    assert f"当前答案：{first.replace('××', '3')}" in user.wait_reply().text


def test_review_lists_findings_with_fix_buttons(user, running):
    from bot.core import engine as core
    from bot.storage import Storage

    flow = FLOWS["2022-liuge"]
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    answers = {**data.answers, "style_defaults": True}
    vague = {"summary": "学习不够深入", "detail": "学得不深不透，用得也不够好。", "case": None}
    answers["t1_problems"] = [vague, *answers["t1_problems"][1:]]
    storage = Storage(running.db)
    storage.create(f"tg:{user.id}", flow, core.adopt(flow, answers))
    storage.close()
    user.send("/resume")
    review = user.wait_for(lambda m: "审阅意见" in m.text)
    assert "第1个问题（学习不够深入）没有具体实例" in review.text
    assert "整改措施对应的问题" in review.text
    user.click("改意见1")
    assert "能举一个具体的例子吗" in user.wait_reply().text  # the 实例 question itself


def _style_step(user, running, flow_id: str = "2022-liuge") -> tuple[Flow, dict]:
    """An interview with every answer but the 版式与措辞 step, resumed there."""
    from bot.core import engine as core
    from bot.storage import Storage

    flow = FLOWS[flow_id]
    _, data = parse((FIXTURES / f"{flow_id}.yaml").read_text(encoding="utf-8"), FLOWS)
    storage = Storage(running.db)
    answers = {k: v for k, v in data.answers.items() if k != "style_defaults"}
    storage.create(f"tg:{user.id}", flow, core.adopt(flow, answers))
    storage.close()
    user.send("/resume")
    prompt = user.wait_for(lambda m: "全部采用默认吗" in m.text)
    assert ["是", "否"] in prompt.buttons
    return flow, answers


def test_one_tap_accepts_every_style_default(user, running):
    _style_step(user, running)
    user.click("用默认")
    assert "全部问题已答完" in user.wait_reply().text
    user.click("生成报告")
    user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), timeout=30)
    docx_file = next(d for d in user.documents if d.file_name.endswith(".docx"))
    text = docx_text(docx_file.data)
    assert "一、存在的主要问题\n（一）" in text
    assert "做到“两个维护”方面\n参加工作以来" in text  # the theme heading on its own line
    assert "\n一是对“两个确立”的理解还停留在面上。" in text  # each point its own paragraph


def test_style_choices_by_button_and_typed_words_shape_the_docx(user, running):
    flow, given = _style_step(user, running)
    section = next(s for s in flow.sections if s.id == "style")
    chosen = {
        "style_defaults": False,
        "h_problems": "存在的问题不足",
        "h_causes": "问题产生的根源",  # typed: not one of the buttons
        "theme_heading": "runin",
        "points": "inline",
        "signature": "none",
    }
    defaults = {q.id: q.default for q in section.questions} | {"sign_date": None}
    answers = given | defaults | chosen
    for q in section.questions:
        if holds(q.when, answers):
            answer_one(user, q, answers[q.id])
    assert "全部问题已答完" in user.last.text
    user.click("问题部分标题：存在的问题不足")  # each choice is one button on the review
    assert "标题用哪种说法" in user.wait_reply().text
    user.click("存在的突出问题")
    assert "全部问题已答完" in user.wait_reply().text
    user.click("生成报告")
    user.wait_for(lambda m: m.document and m.document.file_name.endswith(".md"), timeout=30)
    docx_file = next(d for d in user.documents if d.file_name.endswith(".docx"))
    text = docx_text(docx_file.data)
    assert "一、存在的突出问题\n（一）在带头深刻领悟“两个确立”的决定性意义" in text
    assert "做到“两个维护”方面。参加工作以来" in text
    assert "；二是对标对表的自觉性还不够强。" in text
    assert "、问题产生的根源\n" in text
    assert not text.rstrip().endswith("日")


def test_edit_mid_interview_pages_a_long_list_of_answers(user, running):
    """82–121 answered steps made one keyboard Telegram refused; now a page at a time."""
    from bot.core import engine
    from bot.storage import Storage

    flow = FLOWS["2022-liuge"]
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    answers = {k: v for k, v in data.answers.items() if k not in ("position", "unit")}
    storage = Storage(running.db)
    interview = storage.create(f"tg:{user.id}", flow, engine.adopt(flow, answers))
    storage.close()
    assert not interview.finished
    user.send("/edit")
    first = user.wait_for(lambda m: m.text == "要修改哪一题？")
    labels = [label for row in first.buttons for label in row]
    assert len(labels) <= 21 and "下一页 ▶" in labels
    user.click("下一页 ▶", first)
    page = user.wait_for(lambda m: "◀ 上一页" in [label for row in m.buttons for label in row])
    second = [label for row in page.buttons for label in row]
    assert second != labels and "◀ 上一页" in second
