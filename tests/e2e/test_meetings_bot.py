"""A 班子 meeting through the real Application, its durable inbox and the fake Bot API, on a
clock the test moves: an organiser and six members (join by link, write, submit, withdraw,
one never joins, one leaves), the status table, the zip, the cross-check on a planted
near-duplicate, the privacy rules against forged presses, and the deadline reminders.

The scenario runs in order (module-scoped world); each test is one chapter of it.
"""

from __future__ import annotations

import asyncio
import io
import threading
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document as WordDocument

from bot.core import callbacks
from bot.flows import load_all
from bot.service import Interviews
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.config import BotConfig
from bot.telegram.inbox import Inbox
from bot.telegram.meetings import send_meeting_reminders
from bot.telegram.reminders import send_reminders
from tests.e2e.botprocess import TOKEN
from tests.e2e.fakeapi import FakeBotAPI, FakeUser
from tests.e2e.player import play
from tests.e2e.test_reminders_bot import Clock

FLOWS = load_all()
FLOW = FLOWS["2024-sige"]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "answers"
NAME = "青石镇党委班子2024年度民主生活会"
ROSTER = "张三、李四、王五、赵六、孙七、周八"
SECRET = "这是赵六还没提交的机密草稿"


def _fixture(flow_id: str) -> dict:
    return yaml.safe_load((FIXTURES / f"{flow_id}.yaml").read_text("utf-8"))["answers"]


SIGE, ZHUTI = _fixture("2024-sige"), _fixture("2023-zhuti")


def report(problems: list[dict], causes: list[dict], measures: list[dict]) -> dict:
    """A short but whole 2024-sige report: one problem per theme, two causes, two measures."""
    answers = {k: v for k, v in SIGE.items() if k in ("position", "name", "notice", "study")}
    answers |= {"as_team": False, "solicit": None, "cs_include": False, "ly_include": False}
    answers["style_defaults"] = True
    for n, problem in enumerate(problems, 1):
        answers[f"t{n}_good"] = None
        answers[f"t{n}_problems"] = [problem]
    answers["causes"], answers["measures"], answers["last_year"] = causes, measures, []
    return answers


def zhang() -> dict:
    return report(
        [SIGE[f"t{n}_problems"][0] for n in range(1, 5)], SIGE["causes"][:2], SIGE["measures"][:2]
    )


def _with_summary(item: dict) -> dict:
    """Some 2023 problems were written as one paragraph: its first sentence is the summary."""
    if item.get("summary"):
        return item
    head, _, rest = item["detail"].partition("。")
    return {**item, "summary": head, "detail": rest}


def li() -> dict:
    """Li copied Zhang's 学纪知纪 problem with other words and another date; the rest is his."""
    problems = [_with_summary(ZHUTI[f"t{n}_problems"][0]) for n in (1, 3, 4, 6)]
    problems[1] = {
        "summary": "学纪知纪不够深入",
        "detail": "学习纪律处分条例时满足于读一遍条文，联系自己岗位对照检查不深，"
        "对有的条款适用情形把握不准，还做不到时时处处用纪律衡量言行。",
        "case": "2024年5月研究公益性岗位人员选聘时，有同志提出可以优先照顾镇村干部亲属，"
        "我没有第一时间指出这种做法违反纪律，是纪委书记提醒后才予以否定。",
    }
    return report(problems, SIGE["causes"][:2], ZHUTI["measures"][:2])


def wang() -> dict:
    return report(
        [SIGE[f"t{n}_problems"][1] for n in range(1, 5)], SIGE["causes"][2:4], SIGE["measures"][2:4]
    )


def sun() -> dict:
    return report(
        [SIGE[f"t{n}_problems"][2] for n in range(1, 5)],
        [SIGE["causes"][4], SIGE["causes"][0]],
        [SIGE["measures"][4], ZHUTI["measures"][2]],
    )


class World:
    def __init__(self, tmp: Path, api: FakeBotAPI) -> None:
        self.api = api
        self.clock = Clock()
        self.storage = Storage(tmp / "m.db", clock=self.clock)
        self.service = Interviews(self.storage, FLOWS)
        config = BotConfig(
            token=TOKEN,
            db=tmp / "m.db",
            api_base_url=api.base_url,
            poll_timeout=1,
            remind_interval=0,
        )
        self.app = build_application(self.service, config, now=self.clock)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))
        self._thread.start()
        assert self._ready.wait(30), "the bot did not start"
        self.organiser = api.user(6000, first_name="刘书记")
        names = ["张三", "李四", "王五", "赵六", "孙七", "周八"]
        self.members = {name: api.user(6001 + i, first_name=name) for i, name in enumerate(names)}
        self.link = ""

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self.app:
            await self.app.post_init(self.app)
            await self.app.start()
            self._ready.set()
            await Inbox(self.app, self.storage, poll_timeout=1).run(self._stop)
            await self.app.stop()

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        self.storage.close()

    def __getitem__(self, name: str) -> FakeUser:
        return self.members[name]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with FakeBotAPI() as api:
        w = World(tmp_path_factory.mktemp("meeting"), api)
        yield w
        w.close()


def texts(user: FakeUser) -> str:
    return "\n".join(m.text or "" for m in user.messages)


def press(user: FakeUser, label: str) -> str:
    user.click(label)
    return user.wait_reply().text or ""


def say(user: FakeUser, text: str) -> str:
    user.send(text)
    return user.wait_reply().text or ""


def join(world: World, name: str) -> None:
    user = world[name]
    invite = say(user, "/start " + world.link.rsplit("=", 1)[1])
    assert NAME in invite and "刘书记" in invite and "组织者看不到您写的任何内容" in invite
    assert f"已加入《{NAME}》" in press(user, f"我是{name}")


def write_and_finish(world: World, name: str, answers: dict) -> None:
    user = world[name]
    press(user, "新写一份")
    play(user, FLOW, answers)
    user.click("生成报告")
    user.wait_for(
        lambda m: m.text and "提交给组织者" in m.text and "确认无误" in m.text, timeout=30
    )


def test_the_organiser_makes_a_meeting_in_a_short_conversation(world):
    o = world.organiser
    assert "哪一种材料" in say(o, "/meeting new")
    assert "截止日期" in press(o, FLOW.title)
    assert "不是一个还没过去的日期" in say(o, "11月30日前后")
    assert "会议名称" in say(o, "12月20日")
    assert "名单" in say(o, NAME)
    o.send(ROSTER)
    done = o.wait_for(lambda m: m.text and "邀请链接" in m.text)
    world.link = next(w for w in done.text.split() if w.startswith("https://t.me/"))
    assert world.link.startswith("https://t.me/duizhao_test_bot?start=")
    assert len(world.link.rsplit("=", 1)[1]) >= 20


def test_members_join_by_the_link_and_see_what_will_be_shared(world):
    for name in ("张三", "李四", "王五", "赵六", "孙七"):
        join(world, name)
    status = say(world.organiser, "/meeting status")
    assert "加入 5 人，已提交 0 人" in status
    assert "周八" in status and "未加入" in status


def test_a_forged_join_without_the_code_is_refused(world):
    stranger = world.api.user(6100, first_name="外人")
    stranger.send("/start")
    stranger.wait_reply()
    meeting_id = world.storage.meetings_of("tg:6000")[0].id
    data = callbacks.encode(callbacks.Payload(meeting_id, "j", "m", "guess"))
    stranger.click_data(data, stranger.messages[-1].message_id)
    assert "邀请链接无效" in stranger.wait_reply().text
    assert world.storage.membership(meeting_id, "tg:6100") is None


def test_members_write_and_the_organiser_sees_only_progress(world):
    write_and_finish(world, "张三", zhang())
    # 赵六 starts and leaves a draft unsubmitted.
    zhao = world["赵六"]
    press(zhao, "新写一份")
    zhao.send(SECRET)
    zhao.wait_reply()
    status = say(world.organiser, "/meeting status")
    assert SECRET not in texts(world.organiser)
    line = next(x for x in status.splitlines() if x.startswith("赵六"))
    assert "/" in line and "—" in line  # parts done and 字数, not submitted


def test_submit_and_check_likeness_before_submitting(world):
    assert "已提交" in press(world["张三"], "提交给组织者")
    write_and_finish(world, "李四", li())
    warning = press(world["李四"], "查一下是否雷同")
    assert "表述很接近" in warning and "第1个问题" in warning
    assert "张三" not in warning and "学纪知纪" not in warning  # neither whose nor what
    press(world["李四"], "提交给组织者")
    for name, answers in (("王五", wang()), ("孙七", sun())):
        write_and_finish(world, name, answers)
        press(world[name], "提交给组织者")
    assert "已提交 4 人" in say(world.organiser, "/meeting status")


def test_the_cross_check_finds_the_planted_pair_and_nothing_else(world):
    o = world.organiser
    say(o, "/meeting status")
    o.click("交叉审核")
    doc = o.wait_for(lambda m: m.document is not None, timeout=30)
    message = next(
        m.text
        for m in reversed(o.messages)
        if m.text and "【" in m.text or (m.text or "").startswith("《")
    )
    assert "【内容雷同】1 处" in message
    assert "张三" in message and "李四" in message and "学纪知纪" in message
    assert doc.document.file_name == f"{NAME}-审核意见.docx"
    body = "\n".join(p.text for p in WordDocument(io.BytesIO(doc.document.data)).paragraphs)
    assert "一、内容雷同" in body and "张三" in body


def test_privacy_forged_presses_read_no_draft_and_no_one_elses_report(world):
    o = world.organiser
    zhao_interview = world.service.active("tg:6004")
    before = len(o.messages)
    for payload in (
        callbacks.Payload(zhao_interview.id, "", "r"),  # resume someone else's interview
        callbacks.Payload(zhao_interview.id, "t1_good", "e"),  # edit it
        callbacks.Payload(zhao_interview.id, zhao_interview.state.cursor, "p"),  # its samples
    ):
        o.click_data(callbacks.encode(payload), o.messages[-1].message_id)
        o.wait_reply()
    assert len(o.messages) > before and SECRET not in texts(o)
    meeting_id = world.storage.meetings_of("tg:6000")[0].id
    li = world["李四"]
    for verb in ("zp", "ck", "st", "li", "rv", "co"):
        li.click_data(
            callbacks.encode(callbacks.Payload(meeting_id, verb, "m")), li.messages[-1].message_id
        )
        li.wait_reply()
    assert all(
        m.document is None or m.document.file_name.endswith((".docx", ".md")) for m in li.messages
    )
    assert not any(m.document and m.document.file_name.endswith(".zip") for m in li.messages)
    assert "只有会议的组织者才能这样做" in texts(li)
    assert "张三" not in texts(li).replace("我是张三", "")
    # Someone who never joined cannot act on the meeting at all.
    zhou = world["周八"]
    zhou.send("/start")
    zhou.wait_reply()
    zhou.click_data(
        callbacks.encode(callbacks.Payload(meeting_id, "v", "m")), zhou.messages[-1].message_id
    )
    assert "不在这个会议中" in zhou.wait_reply().text


def test_withdraw_and_leave_take_the_reports_back(world):
    wang_ = world["王五"]
    say(wang_, "/meeting")
    assert "已撤回" in press(wang_, "撤回提交")
    sun_ = world["孙七"]
    say(sun_, "/meeting")
    assert "确定退出" in press(sun_, "退出会议")
    assert "已删除" in press(sun_, "确定退出")
    status = say(world.organiser, "/meeting status")
    assert "加入 4 人，已提交 2 人" in status


def test_all_submissions_as_one_zip_named_by_member(world):
    o = world.organiser
    say(o, "/meeting status")
    o.click("全部材料")
    doc = o.wait_for(
        lambda m: m.document is not None and m.document.file_name.endswith(".zip"), timeout=30
    )
    names = zipfile.ZipFile(io.BytesIO(doc.document.data)).namelist()
    assert names == [f"01-张三-{FLOW.title}.docx", f"02-李四-{FLOW.title}.docx"]


def test_the_team_report_offers_the_members_problems_per_theme(world):
    o = world.organiser
    say(o, "/meeting status")
    o.click("撰写班子材料")
    o.wait_for(lambda m: m.text and "这方面" in m.text and "做得比较好" in m.text)
    themes = next(m for m in reversed(o.messages) if m.text and m.text.startswith("领导班子的材料"))
    o.click("跳过")
    o.wait_reply()
    o.click("成员的问题：带头增强党性", themes)
    offered = o.wait_for(lambda m: m.buttons and m.buttons[0][0] == "采用1")
    listing = "\n".join(m.text or "" for m in o.messages[-4:])
    assert "1. 张三、李四：学纪知纪还不够深入" in listing  # the planted pair, merged
    assert "请先在班子材料里写到" in press(o, "采用1")  # t1 comes first
    o.click("成员的问题：带头严守政治纪律", themes)
    o.wait_for(lambda m: m.buttons and m.buttons[0][0] == "采用1")
    assert "1. 张三：" in "\n".join(m.text or "" for m in o.messages[-4:])
    o.click("采用1")
    reply = o.wait_for(lambda m: m.text and "已采用" in m.text)
    assert "再加一个问题" in str(reply.buttons)
    team = world.service.active("tg:6000")
    assert team.state.answers["as_team"] is True
    assert team.state.answers["t1_problems"][0]["summary"] == zhang()["t1_problems"][0]["summary"]
    assert offered.buttons


def test_remind_all_not_submitted_once(world):
    o = world.organiser
    say(o, "/meeting status")
    assert "已提醒 2 人" in press(o, "提醒未提交的成员")  # 王五 (withdrew) and 赵六
    assert "组织者提醒您" in world["赵六"].messages[-1].text
    say(o, "/meeting status")
    assert "没有需要提醒的成员" in press(o, "提醒未提交的成员")


def test_deadline_reminders_on_the_clock(world):
    zhao, wang_ = world["赵六"], world["王五"]
    counts = lambda: (len(zhao.messages), len(wang_.messages))  # noqa: E731
    before = counts()
    world.clock.set(16, hour=23)  # three days before, but at night
    assert world.run(send_meeting_reminders(world.app)) == 0
    assert world.run(send_reminders(world.app)) == 0
    world.clock.set(17, hour=9)
    assert world.run(send_meeting_reminders(world.app)) == 1  # 王五: finished, not submitted
    # 赵六's unfinished interview, and the organiser's unfinished 班子 report: both take the
    # meeting's deadline.
    assert world.run(send_reminders(world.app)) == 2
    assert "还没有提交给组织者" in wang_.messages[-1].text
    assert "还没写完" in zhao.messages[-1].text and "2026年12月20日" in zhao.messages[-1].text
    assert world.run(send_meeting_reminders(world.app)) == 0  # once per reason
    assert counts() == (before[0] + 1, before[1] + 1)
    assert "2026年12月20日" in world.organiser.messages[-1].text


def test_any_other_command_ends_the_new_meeting_conversation(world):
    zhang_ = world["张三"]
    say(zhang_, "/meeting new")
    assert "截止日期" in press(zhang_, FLOW.title)
    zhang_.send("/status")
    zhang_.wait_for(lambda m: m.text and "已取消新建会议" in m.text)
    reply = say(zhang_, "12月20日")
    assert "会议名称" not in reply
    assert world.storage.meeting_draft("tg:6001") is None
    assert len(world.storage.meetings_of("tg:6001")) == 1  # only the meeting he joined
