"""The engine, table-driven: each case plays inputs and checks where the user ends up."""

from __future__ import annotations

import pytest

from bot.core import engine, replies, steps, texts
from bot.core.state import Input, State

T = Input.text
C = Input.choose


def cmd(name: str, value: str = "") -> Input:
    return Input(name, value)


# Inputs that answer the whole small flow, and where each leaves the cursor.
THROUGH = [
    (cmd("skip"), "problems[0].summary"),
    (T("学习不够"), "problems[0].case"),
    (T("比如上月"), "problems[+]"),
    (C("done"), "area"),
    (T("2"), "tags"),
    (C("a"), "tags"),
    (cmd("done"), "has_more"),
    (C("no"), "unit"),
    (cmd("default"), "review"),
]


def play(flow, inputs, state: State | None = None):
    if state is None:
        state, reply = engine.start(flow)
    replies = []
    for inp in inputs:
        state, reply = engine.step(flow, state, inp)
        replies.append(reply)
    return state, replies


def test_a_whole_interview_reaches_the_review_then_done(small_flow):
    state, _ = engine.start(small_flow)
    for inp, cursor in THROUGH:
        state, reply = engine.step(small_flow, state, inp)
        assert (state.cursor, reply.error) == (cursor, "")
    assert state.answers == {
        "good": None,
        "problems": [{"summary": "学习不够", "case": "比如上月"}],
        "area": "工作",
        "tags": ["a"],
        "has_more": False,
        "unit": "某某镇",
    }
    state, reply = engine.step(small_flow, state, C("done"))
    assert state.finished and reply.finished


CASES = [
    # (name, inputs, final cursor, error of the last reply, answers that must hold)
    (
        "back shows the previous answer",
        [cmd("skip"), T("学习不够"), cmd("back")],
        "problems[0].summary",
        "",
        {"problems": [{"summary": "学习不够"}]},
    ),
    ("back on the first question is refused", [cmd("back")], "good", "已经是第一题了。", {}),
    (
        "a required question cannot be skipped",
        [cmd("skip"), cmd("skip")],
        "problems[0].summary",
        "这一题必须回答，不能跳过。",
        {},
    ),
    (
        "too short is refused with the count",
        [cmd("skip"), T("学")],
        "problems[0].summary",
        "内容太短：现在 1 字，至少需要 2 字。",
        {},
    ),
    (
        "too long is refused with the count",
        [cmd("skip"), T("一二三四五六七八九十壹")],
        "problems[0].summary",
        "内容太长：现在 11 字，最多 10 字。",
        {},
    ),
    (
        "empty text is refused",
        [cmd("skip"), T("   ")],
        "problems[0].summary",
        "没有收到内容，请输入文字。",
        {},
    ),
    (
        "one message is the whole long answer",
        [T("第一段")],
        "problems[0].summary",
        "",
        {"good": "第一段"},
    ),
    (
        "补充 adds the next message to the saved answer and comes back",
        [T("第一段"), cmd("append", "good"), T("第二段")],
        "problems[0].summary",
        "",
        {"good": "第一段，第二段"},
    ),
    (
        "补充 that goes over the limit is refused and the answer stays",
        [T("好" * 30), cmd("append", "good"), T("好" * 30)],
        "good",
        "内容太长：现在 61 字，最多 50 字。",
        {"good": "好" * 30},
    ),
    *(
        (
            f"{word!r} is never stored as the answer",
            [T("第一段"), cmd("append", "good"), T(word)],
            "problems[0].summary",
            "",
            {"good": "第一段"},
        )
        for word in ("完成", "好了", "写完了", "done", "/done", "、done", "完成。")
    ),
    (
        "a trailing 、done is not part of the answer",
        [T("比如上月、done")],
        "problems[0].summary",
        "",
        {"good": "比如上月"},
    ),
    (
        "a done word with nothing written is refused",
        [T("完成")],
        "good",
        "还没有收到这一题的内容，请直接发送您的回答。",
        {},
    ),
    (
        "a done word at a one-line question keeps its answer",
        [cmd("skip"), T("学习不够"), cmd("back"), T("好了")],
        "problems[0].case",
        "",
        {"problems": [{"summary": "学习不够"}]},
    ),
    (
        "Latin letters count one 字 a run, but every character counts against the cap",
        [cmd("skip"), T("镇长" + "a" * 1500)],
        "problems[0].summary",
        "内容太长：现在 1502 个字符（字母、数字、空格和标点都算），这一题最多 130 个字符。",
        {},
    ),
    (
        "a long answer's pieces count together against the character cap",
        [T("好" + "," * 150), cmd("append", "good"), T("好" + "," * 150)],
        "good",
        "内容太长：现在 302 个字符（字母、数字、空格和标点都算），这一题最多 250 个字符。",
        {},
    ),
    (
        "done without a draft is refused",
        [cmd("done")],
        "good",
        "还没有收到这一题的内容，请直接发送您的回答。",
        {},
    ),
    (
        "keep an answer after going back",
        [cmd("skip"), T("学习不够"), cmd("back"), cmd("keep")],
        "problems[0].case",
        "",
        {"problems": [{"summary": "学习不够"}]},
    ),
    (
        "keep needs an answer",
        [cmd("skip"), cmd("keep")],
        "problems[0].summary",
        "这一题还没有答案，无法保留。",
        {},
    ),
    (
        "repeat: add another item",
        [cmd("skip"), T("学习不够"), cmd("skip"), C("add"), T("作风不实")],
        "problems[1].case",
        "",
        {"problems": [{"summary": "学习不够", "case": None}, {"summary": "作风不实"}]},
    ),
    (
        "repeat: typed 1 adds, the number picks the button",
        [cmd("skip"), T("学习不够"), cmd("skip"), T("1")],
        "problems[1].summary",
        "",
        {},
    ),
    (
        "repeat: stops offering more at max",
        [
            cmd("skip"),
            T("问题一"),
            cmd("skip"),
            C("add"),
            T("问题二"),
            cmd("skip"),
            C("add"),
            T("问题三"),
            cmd("skip"),
        ],
        "area",
        "",
        {},
    ),
    (
        "repeat: an added but empty item is dropped on back",
        [cmd("skip"), T("学习不够"), cmd("skip"), C("add"), cmd("back")],
        "problems[0].case",
        "",
        {"problems": [{"summary": "学习不够", "case": None}]},
    ),
    (
        "choice: not an option",
        THROUGH_TO := [cmd("skip"), T("学习不够"), cmd("skip"), C("done")],
        "area",
        "",
        {},
    ),
    ("choice: a typed label", [*THROUGH_TO, T("作风")], "tags", "", {"area": "作风"}),
    (
        "choice: a wrong number",
        [*THROUGH_TO, T("9")],
        "area",
        "“9”不是可选项，请点按钮或输入序号。",
        {},
    ),
    ("multi: typed list", [*THROUGH_TO, T("1"), T("1，2")], "has_more", "", {"tags": ["a", "b"]}),
    (
        "multi: toggling twice removes",
        [*THROUGH_TO, T("1"), C("a"), C("b"), C("a"), cmd("done")],
        "has_more",
        "",
        {"tags": ["b"]},
    ),
    ("multi: nothing picked", [*THROUGH_TO, T("1"), cmd("done")], "tags", "请至少选择一项。", {}),
    (
        "condition: yes asks the follow-up",
        [*THROUGH_TO, T("1"), T("1"), C("yes")],
        "more",
        "",
        {"has_more": True},
    ),
    (
        "condition: no skips it",
        [*THROUGH_TO, T("1"), T("1"), T("否")],
        "unit",
        "",
        {"has_more": False},
    ),
    (
        "condition: answering no later drops the follow-up from the walk",
        [*THROUGH_TO, T("1"), T("1"), C("yes"), T("补充"), cmd("back"), cmd("back"), C("no")],
        "unit",
        "",
        {"has_more": False, "more": "补充"},
    ),
    (
        "edit returns to where the user was",
        [*THROUGH_TO, T("1"), cmd("edit", "problems[0].summary"), T("改过的概括")],
        "tags",
        "",
        {"problems": [{"summary": "改过的概括", "case": None}]},
    ),
    (
        "edit refuses an unanswered step",
        [cmd("edit", "area")],
        "good",
        "只能修改已经回答过的题目。",
        {},
    ),
    (
        "edit refuses an unknown step",
        [cmd("edit", "nope")],
        "good",
        "只能修改已经回答过的题目。",
        {},
    ),
    (
        "restart clears the current section",
        [*THROUGH_TO, T("1"), C("a"), cmd("restart")],
        "area",
        "",
        {"good": None},
    ),
    (
        "text at the review is refused",
        [*[i for i, _ in THROUGH], T("随便")],
        "review",
        "已经全部答完。可以点“生成报告”，或选择要修改的部分。",
        {},
    ),
    (
        "back from the review goes to the last question",
        [*[i for i, _ in THROUGH], cmd("back")],
        "unit",
        "",
        {"unit": "某某镇"},
    ),
    (
        "edit from the review returns to the review",
        [*[i for i, _ in THROUGH], cmd("edit", "area"), T("学习")],
        "review",
        "",
        {"area": "学习"},
    ),
    (
        "cancel leaves an edit unchanged",
        [*THROUGH_TO, T("1"), cmd("edit", "problems[0].summary"), cmd("cancel")],
        "tags",
        "",
        {"problems": [{"summary": "学习不够", "case": None}]},
    ),
    (
        "an answer given after going back returns to where the user was, past later answers",
        [*THROUGH_TO, T("1"), C("a"), cmd("done"), cmd("back"), cmd("back"), T("作风")],
        "has_more",
        "",
        {"area": "作风", "tags": ["a"]},
    ),
    (
        "an add-or-finish step opened from the review adds an item: its questions, then back",
        [*[i for i, _ in THROUGH], cmd("edit", "problems[+]"), T("作风不实"), cmd("skip")],
        "review",
        "",
        {
            "problems": [
                {"summary": "学习不够", "case": "比如上月"},
                {"summary": "作风不实", "case": None},
            ]
        },
    ),
    ("cancel with nothing to cancel", [cmd("cancel")], "good", "现在没有需要取消的操作。", {}),
    ("an unknown input kind is refused", [Input("fly")], "good", "这个操作在这里用不上。", {}),
]


@pytest.mark.parametrize(
    ("inputs", "cursor", "error", "answers"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_inputs(small_flow, inputs, cursor, error, answers):
    state, replies = play(small_flow, inputs)
    assert state.cursor == cursor
    assert replies[-1].error == error
    for key, value in answers.items():
        assert state.answers.get(key) == value


def test_a_refused_input_leaves_the_state_unchanged(small_flow):
    state, _ = play(small_flow, [cmd("skip")])
    after, reply = engine.step(small_flow, state, T("好" * 60))
    assert after == state and reply.error


def test_restart_section_keeps_other_sections(small_flow):
    state, _ = play(
        small_flow, [cmd("skip"), T("学习不够"), cmd("skip"), C("done"), T("1"), cmd("restart")]
    )
    assert "problems" in state.answers and "area" not in state.answers


def test_prompt_shows_progress_options_and_actions(small_flow):
    state, replies = play(small_flow, [cmd("skip"), T("学习不够"), cmd("skip"), C("done")])
    prompt = replies[-1].prompt
    assert prompt.progress == "第2/2部分 · 总进度 50%"  # nothing yet to count in this part
    assert [o.label for o in prompt.options] == ["学习", "工作", "作风"]
    assert [a.label for a in prompt.actions] == ["上一步"]
    assert replies[-1].entered_section


def test_back_shows_the_answer_and_offers_keep(small_flow):
    _, replies = play(small_flow, [cmd("skip"), T("学习不够"), cmd("back")])
    prompt = replies[-1].prompt
    assert prompt.current == "学习不够"
    assert "保留原答案" in [a.label for a in prompt.actions]


def test_a_saved_long_answer_says_its_count_and_offers_to_add(small_flow):
    _, replies = play(small_flow, [T("第一段文字")])
    assert replies[-1].notice == "已保存（5 字）。"
    assert replies[-1].appendable == "good"
    assert replies[-1].prompt.step == "problems[0].summary"


def test_an_answer_under_its_minimum_waits_as_a_draft(flows):
    flow = flows["2022-liuge"]
    state, _ = engine.start(flow)
    state, _ = play(flow, [C("no"), cmd("skip"), T("学习不够深入")], state)
    state, replies = play(flow, [T("学得少。")], state)
    assert state.cursor == "t1_problems[0].detail"
    assert replies[-1].notice == "已收到 4 字，这一题至少要 15 字。请接着补充，发出后一并保存。"
    assert replies[-1].prompt.draft_text == "学得少。"
    assert [a.label for a in replies[-1].prompt.actions][:1] == ["完成"]
    state, _ = play(flow, [T("今年个人自学只完成了计划的一半。")], state)
    assert state.answers["t1_problems"][0]["detail"] == "学得少。\n今年个人自学只完成了计划的一半。"
    assert state.cursor == "t1_problems[0].case"


def test_a_sample_being_filled_survives_leaving_and_coming_back(small_flow):
    state, _ = play(small_flow, [cmd("skip"), T("学习不够"), cmd("sample", "2")])
    state, _ = play(small_flow, [cmd("back"), cmd("keep"), T("3")], state)
    assert state.answers["problems"][0]["case"] == "比如3月的会上我没有发言。"


def test_cancel_of_an_untouched_append_leaves_no_draft(small_flow):
    state, _ = play(small_flow, [T("第一段"), cmd("skip"), cmd("append", "good"), cmd("cancel")])
    assert state.cursor == "problems[0].summary"
    assert state.drafts == {} and state.answers["good"] == "第一段"


def test_resume_moves_a_vanished_cursor_to_the_first_gap(small_flow):
    state = State(answers={"good": "好"}, cursor="removed_question")
    state, reply = engine.resume(small_flow, state)
    assert state.cursor == "problems[0].summary"
    assert reply.notice == "问卷内容有更新，从需要回答的地方继续。"


def test_a_new_required_question_is_asked_before_the_review(small_flow):
    answers = {
        "good": None,
        "problems": [{"summary": "学习不够", "case": None}],
        "area": "1",
        "tags": ["a"],
        "has_more": False,
    }
    state = engine.adopt(small_flow, answers)
    assert state.cursor == "unit"


def test_edit_choices_list_answered_steps(small_flow):
    state, _ = play(small_flow, [cmd("skip"), T("学习不够")])
    labels = [b.label for b in replies.edit_choices(small_flow, state)]
    assert labels == ["第1部分｜做得好的地方？：（已跳过）", "第1部分｜第1个问题·概括：学习不够"]


def test_review_counts_zishu_per_section(small_flow):
    state, replies = play(small_flow, [i for i, _ in THROUGH])
    review = replies[-1].review
    assert [(s.title, s.chars) for s in review.sections] == [("第一部分", 8), ("第二部分", 3)]
    assert "合计约 11 字。" in review.text


def test_a_sample_with_xx_asks_for_each_in_turn(small_flow):
    state, replies = play(small_flow, [cmd("skip"), T("学习不够"), cmd("sample", "1")])
    assert "这条参考表述里有 1 处“××”，我逐处问您" in replies[-1].prompt.text
    assert "参考表述：今年只参加了【？】次学习。\n第 1/1 处“××”（【？】处）填什么？" in (
        replies[-1].prompt.text
    )
    state, replies = play(small_flow, [T("3")], state)
    assert state.answers["problems"][0]["case"] == "今年只参加了3次学习。"
    assert replies[-1].appendable == "problems[0].case"
    assert not [k for k in state.drafts if k.startswith("~")]


def test_a_sample_without_xx_is_the_answer_then_extendable(flows):
    flow = flows["2022-liuge"]
    sample = flow.question("causes").sub("text").samples[5]
    assert "××" not in sample
    state = State(answers={}, cursor="causes[0].text")
    state, replies = play(flow, [cmd("sample", "6")], state)
    assert state.answers["causes"] == [{"text": sample}]
    assert replies[-1].notice.startswith("已采用这条参考表述")
    assert "××" not in replies[-1].notice
    state, _ = play(flow, [cmd("append", "causes[0].text"), T("所以对分管站所问得少。")], state)
    assert state.answers["causes"] == [{"text": f"{sample}\n所以对分管站所问得少。"}]


def test_a_sample_number_out_of_range_is_refused(small_flow):
    state, replies = play(small_flow, [cmd("skip"), T("学习不够"), cmd("sample", "3")])
    assert replies[-1].error == "请选择第 1 到第 2 条参考表述。"
    assert not state.drafts


def test_clear_empties_the_draft(small_flow):
    state, replies = play(
        small_flow, [cmd("skip"), T("学习不够"), cmd("sample", "1"), cmd("clear")]
    )
    assert state.drafts == {} and replies[-1].notice == "草稿已清空，请重新发送。"
    _, replies = play(small_flow, [cmd("clear")], state)
    assert replies[-1].error == "现在没有草稿可以清空。"


def test_prompt_offers_guide_samples_and_shows_the_target(small_flow):
    _, replies = play(small_flow, [cmd("skip"), T("学习不够")])
    prompt = replies[-1].prompt
    assert prompt.progress == "第1/2部分 · 总进度 10% · 本部分已答 2 题 · 4/20 字"
    assert prompt.guide == "这一部分问学习。"
    assert prompt.samples[0] == "今年只参加了××次学习。"
    assert [a.kind for a in prompt.actions] == ["skip", "samples", "guide", "back"]
    _, replies = play(small_flow, [cmd("skip"), T("学习不够"), T("草稿")])
    assert replies[-1].notice == "已保存（2 字）。建议写到 10 字以上，可以点“补充”再写些具体情况。"


def test_the_review_lists_findings_with_the_step_to_fix(small_flow):
    _, replies = play(small_flow, [i for i, _ in THROUGH])
    review = replies[-1].review
    assert [f.kind for f in review.findings] == ["short"]
    # The shortest written answer of the part, the one most worth extending.
    assert review.findings[0].step == "problems[0].case"
    assert (
        "审阅意见（仅供参考，不影响生成报告）：\n1. “第一部分”写了 8 字，建议不少于 20 字。"
        in review.text
    )


def test_an_answer_that_hides_its_own_step_moves_on_not_back_to_the_start():
    from bot.core.loader import parse_flow

    flow = parse_flow(
        """
id: hide
title: 测试
version: 1
meeting: 组织生活会
year: 2026
template: x.j2
sections:
  - id: s
    title: 部分
    questions:
      - {id: first, kind: text, prompt: 第一题}
      - id: items
        kind: repeat
        prompt: 条目
        min: 1
        max: 2
        questions:
          - {id: measure, kind: text, prompt: 措施, when: "not item.measure"}
          - {id: status, kind: text, prompt: 进展}
"""
    )
    state, _ = play(flow, [T("一"), T("措施甲")])
    assert state.cursor == "items[0].status"
    state = engine.adopt(flow, {"first": "一", "items": [{"measure": "导入的措施"}]})
    assert state.cursor == "items[0].status"
    # The hidden answer is shown so the user knows which item the question is about.
    assert replies.show(flow, state).prompt.text == "条目\n【第1条】措施：导入的措施\n进展"


def test_bring_in_adds_answers_and_context_and_offers_last_years_problems(small_flow):
    state, _ = engine.start(small_flow)
    state, reply = engine.bring_in(
        small_flow,
        state,
        {"good": "导入的", "nope": "dropped"},
        {"last_year_problems": ["去年的问题一"]},
    )
    assert state.answers == {"good": "导入的"}
    assert state.context == {"last_year_problems": ["去年的问题一"]}
    assert reply.notice == "已导入去年的材料。"
    assert reply.prompt.step == "good" and reply.prompt.last_year == ()
    state, replies = play(small_flow, [cmd("keep")], state)
    prompt = replies[-1].prompt
    assert prompt.step == "problems[0].summary"
    assert prompt.last_year == ("去年的问题一",)
    assert "lastyear" in [a.kind for a in prompt.actions]


def test_one_step_walks_the_flow_once_before_and_once_after_the_answer(small_flow, monkeypatch):
    """A step is fast because its walks are shared: the answers before the input, and after."""
    walked: list[dict] = []
    real_walk = steps.walk

    def counting_walk(flow, answers):
        walked.append(answers)
        return real_walk(flow, answers)

    monkeypatch.setattr(steps, "walk", counting_walk)
    state, _ = engine.start(small_flow)
    for inp, cursor in THROUGH:
        walked.clear()
        state, reply = engine.step(small_flow, state, inp)
        assert state.cursor == cursor
        assert len(walked) <= 2, f"{inp}: {len(walked)} walks"


def test_revise_replaces_an_answer_in_place_with_the_chats_checks(small_flow):
    state, _ = play(small_flow, [i for i, _ in THROUGH])
    assert state.cursor == "review"
    new, error = engine.revise(small_flow, state, "problems[0].summary", " 学习不深入 ")
    assert not error and new.cursor == "review"
    assert new.answers["problems"][0]["summary"] == "学习不深入"
    for text, expected in (("学" * 11, "最多"), ("学", "至少"), ("  ", "必须回答")):
        same, error = engine.revise(small_flow, state, "problems[0].summary", text)
        assert expected in error and same.answers == state.answers
    # An optional answer emptied is skipped; a question not reached cannot be revised.
    new, error = engine.revise(small_flow, state, "problems[0].case", "")
    assert not error and new.answers["problems"][0]["case"] is None
    assert engine.revise(small_flow, state, "more", "x")[1] == texts.ERR_CANNOT_EDIT
    # A choice takes an option; yes/no takes yes or no, and what it opens is asked next.
    new, error = engine.revise(small_flow, state, "area", "工作")
    assert not error and new.answers["area"] == "工作" and new.cursor == "review"
    assert engine.revise(small_flow, state, "area", "别的")[1] == texts.ERR_NOT_OPTION.format(
        text="别的"
    )
    new, error = engine.revise(small_flow, state, "has_more", "yes")
    assert not error and new.answers["has_more"] is True and new.cursor == "more"


def test_a_finding_opens_its_question_takes_one_answer_and_returns_with_stable_numbers():
    from bot.core.loader import parse_flow

    flow = parse_flow(
        """
id: fix
title: 测试
version: 1
meeting: 组织生活会
year: 2026
template: x.j2
sections:
  - id: s
    title: 在学习方面
    questions:
      - id: problems
        kind: repeat
        role: problems
        prompt: 问题
        min: 1
        max: 3
        questions:
          - {id: summary, kind: text, prompt: 概括}
          - {id: case, kind: text, prompt: 实例, optional: true}
""",
        "fix.yaml",
    )
    state, _ = engine.start(flow)
    inputs = [T("学习不深"), cmd("skip"), C("add"), T("笔记不全"), cmd("skip"), C("done")]
    state, shown = play(flow, inputs, state)
    review = shown[-1].review
    assert [(n, f.step) for n, f in zip(review.numbers, review.findings, strict=True)] == [
        (1, "problems[0].case"),
        (2, "problems[1].case"),
    ]
    # The second finding's button: its 实例 question, one answer, the review again.
    state, shown = play(flow, [cmd("edit", review.finding(2).step)], state)
    assert shown[-1].prompt.text.endswith("实例")
    state, shown = play(flow, [T("比如今年3月没有记")], state)
    assert state.cursor == "review"
    review = shown[-1].review
    assert [(n, f.id) for n, f in zip(review.numbers, review.findings, strict=True)] == [
        (1, "vague:problems[0]")
    ]
    assert "（已改好 1 条意见，其余意见的序号不变。）" in review.text
    # The first keeps its number when it is the only one left; a new one takes the next.
    state, shown = play(flow, [cmd("edit", "problems[+]"), T("作风不实"), cmd("skip")], state)
    review = shown[-1].review
    assert [(n, f.id) for n, f in zip(review.numbers, review.findings, strict=True)] == [
        (1, "vague:problems[0]"),
        (3, "vague:problems[2]"),
    ]
    assert "\n3. “学习”第3个问题（作风不实）没有具体实例" in review.text


def test_progress_moves_with_every_answer_and_status_counts_what_there_is(small_flow):
    """Issue 12, observation 7: the progress line changed with each prompt of a part, and
    /status shows no "0/2 题" for parts that grow nor 字数 for parts without text."""
    inputs = [cmd("skip"), T("学习不够"), cmd("skip"), C("add"), T("作风不实")]
    state, shown = play(small_flow, inputs)
    progress = [r.prompt.progress for r in shown]
    assert progress == [
        "第1/2部分 · 总进度 0% · 本部分已答 1 题",
        "第1/2部分 · 总进度 10% · 本部分已答 2 题 · 4/20 字",
        "第1/2部分 · 总进度 10% · 本部分已答 3 题 · 4/20 字",
        "第1/2部分 · 总进度 10% · 本部分已答 3 题 · 4/20 字",
        "第1/2部分 · 总进度 20% · 本部分已答 4 题 · 8/20 字",
    ]
    assert replies.status_lines(small_flow, state) == [
        "总进度 20%。各部分：",
        "▫️ 第一部分：已答 4 题 · 8/20 字",
        "▫️ 第二部分：未开始",
    ]
    state, shown = play(small_flow, [cmd("skip"), C("done")], state)
    assert shown[-1].prompt.progress == "第2/2部分 · 总进度 50%"


# -- a problem in one message ------------------------------------------------------------------

ONE_PROBLEM = (
    "学用结合有差距。学了新思想，但谋划工作时还是凭经验，没有用学到的理论找思路。"
    "比如2022年制定茶产业规划时，初稿被退回两次。"
)
TWO_PROBLEMS = (
    "还存在以下不足：一是在学懂上有差距。有时认为自己是一名基层党员干部，跟着上面走就行了，"
    "放松了思想要求；二是在弄通上有差距。从党的创新理论中找立场、找观点、找方法做得不够。"
)


def _at_first_problem(flows):
    flow = flows["2022-liuge"]
    state, _ = engine.start(flow)
    state, _ = play(flow, [C("no"), cmd("skip")], state)
    return flow, state


def test_a_problem_in_one_message_is_split_into_its_parts(flows):
    flow, state = _at_first_problem(flows)
    state, [reply] = play(flow, [T(ONE_PROBLEM)], state)
    assert state.answers["t1_problems"] == [
        {
            "summary": "学用结合有差距",
            "detail": "学了新思想，但谋划工作时还是凭经验，没有用学到的理论找思路。",
            "case": "2022年制定茶产业规划时，初稿被退回两次。",
        }
    ]
    assert state.cursor == "t1_problems[+]"
    assert reply.notice.startswith("我这样理解：\n问题概括：学用结合有差距\n具体表现：")
    assert reply.undo_split


def test_不拆分_keeps_the_message_whole_and_asks_the_one_line(flows):
    flow, state = _at_first_problem(flows)
    state, [_, reply] = play(flow, [T(ONE_PROBLEM), cmd("unsplit")], state)
    assert state.answers["t1_problems"] == [{"detail": ONE_PROBLEM}]
    assert state.cursor == "t1_problems[0].summary"
    assert reply.notice == "已按原样保存为一整段。"
    state, _ = play(flow, [T("学用结合有差距")], state)
    assert state.cursor == "t1_problems[0].case"  # the detail is not asked again


def test_several_points_make_several_problems(flows):
    flow, state = _at_first_problem(flows)
    state, [reply] = play(flow, [T(TWO_PROBLEMS)], state)
    problems = state.answers["t1_problems"]
    assert [p["summary"] for p in problems] == ["在学懂上有差距", "在弄通上有差距"]
    assert problems[1]["detail"] == "从党的创新理论中找立场、找观点、找方法做得不够。"
    assert reply.notice.startswith(
        "识别出2个问题，已分别保存：\n1. 在学懂上有差距\n2. 在弄通上有差距"
    )
    assert "还存在以下不足" in reply.notice
    assert state.cursor == "t1_problems[0].case"
    state, _ = play(flow, [cmd("unsplit")], state)
    assert state.answers["t1_problems"] == [{"detail": TWO_PROBLEMS}]


def test_text_at_add_another_starts_the_next_problem(flows):
    flow, state = _at_first_problem(flows)
    state, _ = play(flow, [T(ONE_PROBLEM), T("对标对表的自觉性还不够强")], state)
    assert state.answers["t1_problems"][1] == {"summary": "对标对表的自觉性还不够强"}
    assert state.cursor == "t1_problems[1].detail"


def test_causes_pasted_at_once_become_several(flows):
    flow = flows["2022-liuge"]
    answers = {"custom_titles": False}
    state = engine.adopt(flow, answers)
    state = State(answers=state.answers, cursor="causes[0].text")
    pasted = "1. 理论学习的内在动力不足，学得不深。\n2. 党性锻炼有所放松，要求不严。\n3. 宗旨意识树得不够牢，感情淡化。"
    state, [reply] = play(flow, [T(pasted)], state)
    assert [c["text"] for c in state.answers["causes"]] == [
        "理论学习的内在动力不足，学得不深。",
        "党性锻炼有所放松，要求不严。",
        "宗旨意识树得不够牢，感情淡化。",
    ]
    assert reply.notice.startswith("识别出3条原因")


def test_a_one_line_answer_is_not_split(flows):
    flow, state = _at_first_problem(flows)
    state, _ = play(flow, [T("学用结合有差距。")], state)
    assert state.answers["t1_problems"] == [{"summary": "学用结合有差距。"}]


def test_several_lines_at_a_one_line_question_are_refused_whole(flows):
    flow = flows["2022-liuge"]
    state = State(answers={}, cursor="position")
    state, [reply] = play(flow, [T("某某镇镇长\n张三\n县委〔2022〕5号")], state)
    assert state.answers == {} and state.cursor == "position"
    assert reply.error.startswith("这一题只要一行")


def test_causes_and_measures_show_the_problems_written(flows):
    flow = flows["2022-liuge"]
    answers = {
        "custom_titles": False,
        "t1_problems": [{"summary": "学用结合有差距"}, {"detail": "没有概括的一段具体表现" * 5}],
    }
    for cursor in ("causes[0].text", "measures[0].heading"):
        prompt = replies.show(flow, State(answers=answers, cursor=cursor)).prompt
        assert prompt.problems[0] == "学用结合有差距"
        assert prompt.problems[1].endswith("…") and len(prompt.problems) == 2
    state = State(
        answers={**answers, "measures": [{"heading": "加强学习"}]}, cursor="measures[0].body"
    )
    assert replies.show(flow, state).prompt.problems == ()


def test_the_draft_text_is_shown_when_coming_back(flows):
    flow = flows["2022-liuge"]
    state = State(
        answers={"custom_titles": False, "t1_good": None, "t1_problems": [{"summary": "学习不够"}]},
        cursor="t1_problems[0].detail",
        drafts={"t1_problems[0].detail": ["学得少，只学了3次。"]},
    )
    _, reply = engine.resume(flow, state)
    assert reply.prompt.draft_text == "学得少，只学了3次。"


def test_every_core_and_flow_text_has_console_wording(flows):
    from bot.core import texts

    core = [v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)]
    flow_texts = [
        text
        for flow in flows.values()
        for qid in flow.question_ids
        for q in (flow.question(qid), *flow.question(qid).questions)
        for text in (q.prompt, q.hint)
    ] + [flow.review_prompt for flow in flows.values()]
    for text in core + flow_texts:
        worded = texts.for_console(text)
        assert "点“" not in worded and "按钮" not in worded, worded


def test_好了_at_add_another_finishes_the_part(small_flow):
    state, _ = play(small_flow, [cmd("skip"), T("学习不够"), cmd("skip"), T("好了")])
    assert state.cursor == "area" and len(state.answers["problems"]) == 1


def _at_style_choice(question_id: str):
    """The 2022 flow, all else answered, at the style choice `question_id`."""
    from tests.report.answers import answers_2022, flow

    flow_2022 = flow("2022-liuge")
    answers = answers_2022(custom_titles=False, style_defaults=False)
    state, _ = engine.resume(flow_2022, State(answers=answers, cursor=question_id))
    assert state.cursor == question_id
    return flow_2022, state


def test_a_style_choice_takes_an_option_its_default_or_the_users_own_words():
    flow_2022, state = _at_style_choice("h_problems")
    labels = [
        b.label
        for b in replies.choice_buttons(
            steps.steps_of(flow_2022, state.answers)[
                [s.key for s in steps.steps_of(flow_2022, state.answers)].index("h_problems")
            ],
            state.answers,
        )
    ]
    assert "存在的问题不足" in labels
    typed, reply = engine.step(flow_2022, state, T("对照“六个带头”查摆的主要问题"))
    assert reply.error == "" and typed.answers["h_problems"] == "对照“六个带头”查摆的主要问题"
    picked, _ = engine.step(flow_2022, state, T("3"))
    assert picked.answers["h_problems"] == labels[2]
    default, _ = engine.step(flow_2022, state, cmd("default"))
    assert default.answers["h_problems"] == "存在的主要问题"


def test_a_choice_without_free_text_still_refuses_unknown_words():
    flow_2022, state = _at_style_choice("points")
    after, reply = engine.step(flow_2022, state, T("随便排"))
    assert reply.error and after.answers == state.answers


def test_a_typed_style_choice_over_its_length_is_refused_and_nothing_changes():
    flow_2022, state = _at_style_choice("h_causes")
    after, reply = engine.step(flow_2022, state, T("很长" * 20))
    assert "内容太长" in reply.error
    assert after.answers == state.answers


def test_an_answers_file_holds_typed_words_only_where_a_choice_takes_them():
    from bot.core.answersfile import check
    from tests.report.answers import flow

    flow_2022 = flow("2022-liuge")
    assert (
        check(flow_2022, {"h_problems": "存在的突出问题及表现", "bridge": "，但还有差距："}) == []
    )
    assert check(flow_2022, {"points": "随便排"}) == ["points：'随便排' 不是可选项"]


def test_a_number_past_the_options_is_refused_not_taken_as_words():
    flow_2022, state = _at_style_choice("opening_close")
    after, reply = engine.step(flow_2022, state, T("5"))
    assert "不是可选项" in reply.error and after.answers == state.answers


AT_AREA = [cmd("skip"), T("学习不够"), cmd("skip"), C("done")]


@pytest.mark.parametrize(
    "typed, area", [("②", "工作"), ("²", "工作"), ("２", "工作"), ("3。", "作风")]
)
def test_circled_superscript_and_full_width_numbers_pick_a_choice(small_flow, typed, area):
    state, replies = play(small_flow, [*AT_AREA, T(typed)])
    assert replies[-1].error == ""
    assert state.answers["area"] == area


@pytest.mark.parametrize("typed", ["⑨", "9" * 5000, "½"])
def test_other_number_like_text_is_not_an_option(small_flow, typed):
    state, replies = play(small_flow, [*AT_AREA, T(typed)])
    assert replies[-1].error.endswith("不是可选项，请点按钮或输入序号。")
    assert state.cursor == "area"


def test_blank_text_at_a_button_question_asks_for_a_choice(small_flow):
    state, replies = play(small_flow, [*AT_AREA, T("   ")])
    assert replies[-1].error == "没有收到内容。请选择一个选项，或输入选项的序号。"


def test_a_sample_picked_by_a_circled_number(small_flow):
    state, replies = play(small_flow, [cmd("skip"), T("学习不够"), cmd("sample", "①")])
    assert replies[-1].error == ""
    assert state.drafts == {"~fill:problems[0].case": ["今年只参加了××次学习。"]}


@pytest.mark.parametrize(
    "pieces, joined",
    [
        (["我在学习上，", "满足于完成规定动作。"], "我在学习上，满足于完成规定动作。"),
        (["我在学习上", "满足于完成规定动作"], "我在学习上，满足于完成规定动作"),
        (["学习不够深入。", "调研不够。"], "学习不够深入。\n调研不够。"),
        (["主要表现在", "：一是学得不深"], "主要表现在：一是学得不深"),
    ],
)
def test_a_sentence_continued_in_the_next_message_gets_no_full_stop(small_flow, pieces, joined):
    first, *more = pieces
    inputs = [T(first), *(i for p in more for i in (cmd("append", "good"), T(p)))]
    state, _ = play(small_flow, inputs)
    assert state.answers["good"] == joined
