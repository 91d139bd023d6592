"""Issue 12's input side through the real bot: one message per answer, a problem in one
message, samples adapted, context where it is needed, multi-line text at a one-line question."""

from __future__ import annotations

from pathlib import Path

from bot.core import engine as core
from bot.core.answersfile import parse
from bot.flows import load_all
from bot.storage import Storage
from tests.e2e.fakeapi import FakeUser
from tests.e2e.test_bot import start_flow

FIXTURES = Path(__file__).parent.parent / "fixtures" / "answers"
FLOWS = load_all()
FLOW = FLOWS["2022-liuge"]
ONE_PROBLEM = (
    "学用结合有差距。学了新思想，但谋划工作时还是凭经验，没有用学到的理论找思路。"
    "比如2022年制定茶产业规划时，初稿被退回两次。"
)


def labels(message) -> list[str]:
    return [label for row in message.buttons for label in row]


def seeded(user: FakeUser, running, cut: str, drafts: dict | None = None) -> None:
    """The user's interview holds the fixture's answers before the question `cut`; /resume."""
    _, data = parse((FIXTURES / "2022-liuge.yaml").read_text(encoding="utf-8"), FLOWS)
    ids = FLOW.question_ids
    answers = {k: v for k, v in data.answers.items() if ids.index(k) < ids.index(cut)}
    state = core.adopt(FLOW, answers)
    if drafts:
        state = type(state)(answers=state.answers, cursor=state.cursor, drafts=drafts)
    user.api.wait_idle()  # the bot is not writing for an earlier test
    storage = Storage(running.db)
    storage.create(f"tg:{user.id}", FLOW, state)
    storage.close()
    user.send("/resume")


def test_a_long_answer_in_one_message_needs_no_完成(user):
    start_flow(user)
    user.send("能坚持第一时间传达学习上级重要会议精神。")
    saved = user.wait_reply()
    assert saved.text.startswith("已保存（")
    assert "用一句话概括这个问题" in saved.text  # already the next question
    assert "完成" not in labels(saved)


def test_完成_and_好了_after_an_answer_store_nothing(user, running):
    start_flow(user)
    user.send("能坚持第一时间传达学习上级重要会议精神。")
    user.wait_reply()
    user.send("完成")  # out of habit, at the next (one-line) question
    refused = user.wait_reply()
    assert "还没有收到这一题的内容" in refused.text
    user.click("上一步")
    assert "当前答案：能坚持第一时间传达学习上级重要会议精神。\n" in user.wait_reply().text + "\n"


def test_a_problem_in_one_message_is_split_and_one_tap_undoes_it(user):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send(ONE_PROBLEM)
    split = user.wait_reply()
    assert split.text.startswith("我这样理解：\n问题概括：学用结合有差距\n具体表现：")
    assert "实例：2022年制定茶产业规划时，初稿被退回两次。" in split.text
    assert "这一条已经写了1个问题" in split.text
    user.click("不拆分")
    whole = user.wait_reply()
    assert whole.text.startswith("已按原样保存为一整段。")
    assert "用一句话概括这个问题" in whole.text
    user.send("学用结合有差距")
    assert "能举一个具体的例子吗" in user.wait_reply().text


def test_several_points_pasted_make_several_problems(user):
    start_flow(user)
    user.click("跳过")
    user.wait_reply()
    user.send("1. 学用结合有差距\n2. 对标对表的自觉性还不够强\n3. 带动分管领域学习不够有力")
    reply = user.wait_reply()
    assert reply.text.startswith("识别出3个问题，已分别保存：")
    assert "不拆分" in labels(reply)
    assert "【第1个问题】这个问题在工作中具体表现在哪里？" in reply.text


def test_a_sample_without_xx_gives_no_replace_advice(user, running):
    seeded(user, running, "causes")
    prompt = user.wait_for(lambda m: "根子在哪里" in m.text)
    user.click("参考", prompt)
    user.wait_for(lambda m: m.text.startswith("参考表述"))
    user.click("用第6条")
    taken = user.wait_reply()
    assert taken.text.startswith("已采用这条参考表述")
    assert "××" not in taken.text.split("\n\n")[0]
    assert "补充" in labels(taken)


def test_causes_and_measures_list_the_problems(user, running):
    seeded(user, running, "causes")
    prompt = user.wait_for(lambda m: "根子在哪里" in m.text)
    assert "前面写的问题：\n1. 对“两个确立”的理解还停留在面上" in prompt.text
    assert "18. 勤俭节约的意识有所淡化" in prompt.text


def test_resume_shows_the_draft_text(user, running):
    seeded(user, running, "study", drafts={"study": ["会前，我参加集中学习4次。"]})
    prompt = user.wait_for(lambda m: "学习准备" in m.text)
    assert "已收到的草稿（" in prompt.text and "会前，我参加集中学习4次。" in prompt.text


def test_the_study_question_says_谈心谈话_comes_next(user, running):
    seeded(user, running, "study")
    prompt = user.wait_for(lambda m: "学习准备" in m.text)
    assert "请以“我”开头" in prompt.text and "谈心谈话、征求意见下一题再问" in prompt.text


def test_several_lines_at_a_one_line_question_are_refused_not_spilled(user, running):
    seeded(user, running, "position")
    user.wait_for(lambda m: "单位和职务" in m.text)
    user.send("某某县青石镇镇长\n李明\n县纪委、县委组织部〔2022〕5号")
    refused = user.wait_reply()
    assert refused.text.startswith("⚠️ 这一题只要一行")
    assert "单位和职务" in refused.text
    user.send("某某县青石镇镇长")
    assert "落款写您的姓名吗" in user.wait_reply().text
    user.click("上一步")
    assert "当前答案：某某县青石镇镇长" in user.wait_reply().text
