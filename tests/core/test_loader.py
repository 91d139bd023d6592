"""The loader refuses broken flows with a message naming the file, the place and the fault."""

from __future__ import annotations

import pytest

from bot.core.loader import parse_flow
from bot.errors import FlowError
from bot.flows import flow_files, load_flow
from tests.small_flow import SMALL_FLOW


def faults_of(text: str, template_exists=lambda _: True) -> list[str]:
    with pytest.raises(FlowError) as info:
        parse_flow(text, "bad.yaml", template_exists)
    return [str(f) for f in info.value.faults]


def test_small_flow_loads(small_flow):
    assert [s.id for s in small_flow.sections] == ["s1", "s2"]
    assert small_flow.question("area").options[1].label == "工作"
    assert small_flow.question("problems").questions[0].max_chars == 10


def test_yes_no_on_off_stay_text():
    flow = parse_flow(SMALL_FLOW.replace("[学习, 工作, 作风]", "[yes, no, on, off]"))
    assert [o.id for o in flow.question("area").options] == ["yes", "no", "on", "off"]


MALFORMED = [
    pytest.param(
        ("    title: 第二部分\n", "    title: [第二部分\n"),
        "bad.yaml: line 43, column 14: YAML syntax error: expected ',' or ']', but got ':'",
        id="yaml-syntax",
    ),
    pytest.param(
        ("        min: 1\n", "        min: 1\n        colour: red\n"),
        "bad.yaml: sections[0].questions.problems: unknown question key(s) colour; "
        "allowed keys are id, kind, prompt",
        id="unknown-question-key",
    ),
    pytest.param(
        ("intro: 开始吧。\n", "intro: 开始吧。\nauthor: me\n"),
        "bad.yaml: top level: unknown flow key(s) author; allowed keys are id, title",
        id="unknown-flow-key",
    ),
    pytest.param(
        ("      - id: unit\n", "      - id: area\n"),
        "bad.yaml: sections[1].questions.area.id: duplicate question id 'area'",
        id="duplicate-question-id",
    ),
    pytest.param(
        ("  - id: s2\n", "  - id: s1\n"),
        "bad.yaml: sections[1].id: duplicate section id 's1'",
        id="duplicate-section-id",
    ),
    pytest.param(
        ("when: has_more\n", "when: has_more ==\n"),
        "bad.yaml: sections[1].questions.more.when: condition 'has_more ==' does not parse",
        id="when-syntax",
    ),
    pytest.param(
        ("when: has_more\n", "when: has_moar\n"),
        "bad.yaml: sections[1].questions.more.when: condition 'has_moar' names 'has_moar', "
        "which is not a question asked before this one",
        id="when-unknown-name",
    ),
    pytest.param(
        ("when: has_more\n", "when: unit\n"),
        "names 'unit', which is not a question asked before this one",
        id="when-later-question",
    ),
    pytest.param(
        ("        min: 1\n        max: 3\n", "        min: 4\n        max: 3\n"),
        "bad.yaml: sections[0].questions.problems.min: min 4 is greater than max 3",
        id="min-over-max",
    ),
    pytest.param(
        ("        max_chars: 50\n", "        min_chars: 60\n        max_chars: 50\n"),
        "bad.yaml: sections[0].questions.good.min_chars: min_chars 60 is greater than max_chars 50",
        id="min-chars-over-max-chars",
    ),
    pytest.param(
        ("[学习, 工作, 作风]", "[学习, 工作, " + "作风" * 10 + "]"),
        "bad.yaml: sections[1].questions.area.options: button data for step 'area' and value "
        "'" + "作风" * 10 + "' needs 78 bytes, over Telegram's 64: shorten the id",
        id="callback-too-long",
    ),
    pytest.param(
        ("when: has_more\n", "when: has_more and not has_more\n"),
        "bad.yaml: sections[1].questions.more.when: unreachable: no answers to earlier "
        "questions make 'has_more and not has_more' true",
        id="unreachable",
    ),
    pytest.param(
        ("kind: yesno\n", "kind: boolean\n"),
        "bad.yaml: sections[1].questions.has_more.kind: unknown kind 'boolean'; allowed kinds "
        "are text, long_text, choice, multi, yesno, repeat",
        id="unknown-kind",
    ),
    pytest.param(
        (
            "        optional: true\n        max_chars: 50",
            "        optional: yes\n        max_chars: 50",
        ),
        "bad.yaml: sections[0].questions.good.optional: expected true or false, got 'yes' "
        "(write true/false; yes/no/on/off are text)",
        id="optional-yes-is-text",
    ),
    pytest.param(
        ("        default: 某某镇\n", "        default: 某某镇\n        options: [a]\n"),
        "bad.yaml: sections[1].questions.unit.options: 'options' applies only to kind choice, multi",
        id="options-on-text",
    ),
    pytest.param(
        (
            "      - id: area\n        kind: choice\n",
            "      - id: area\n        kind: choice\n        default: 生活\n",
        ),
        "bad.yaml: sections[1].questions.area.default: default '生活' is not one of the option ids",
        id="bad-default",
    ),
    pytest.param(
        ("title: 第二部分\n    questions:\n", "title: 第二部分\n    questionz:\n"),
        "bad.yaml: sections[1]: unknown section key(s) questionz",
        id="unknown-section-key",
    ),
    pytest.param(
        (
            "          - id: summary\n            kind: text\n",
            "          - id: summary\n            kind: repeat\n",
        ),
        "sections[0].questions.problems.questions.summary.kind: a repeat cannot hold another repeat",
        id="nested-repeat",
    ),
    pytest.param(
        ("        max_chars: 50\n", "        max_chars: 50\n        role: measures\n"),
        "bad.yaml: sections[0].questions.good.role: role 'measures' needs kind repeat, not "
        "long_text",
        id="item-role-on-long-text",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), MALFORMED)
def test_malformed_flow_is_refused_with_its_place(edit, expected):
    old, new = edit
    text = SMALL_FLOW.replace(old, new)
    assert text != SMALL_FLOW
    messages = faults_of(text)
    assert any(expected in m for m in messages), messages


def test_missing_template_is_named():
    messages = faults_of(SMALL_FLOW, template_exists=lambda name: False)
    assert messages == [
        "bad.yaml: template: template 'small.j2' does not exist in the templates folder"
    ]


def test_missing_required_keys_are_each_named():
    messages = faults_of("id: x\nsections: []\n")
    assert "bad.yaml: title: missing required flow key 'title'" in messages
    assert "bad.yaml: template: missing required flow key 'template'" in messages
    assert any("sections: expected a non-empty list of sections" in m for m in messages)


def test_top_level_must_be_a_mapping():
    assert faults_of("- just\n- a list\n") == [
        "bad.yaml: top level: expected a mapping of flow keys, got a list"
    ]


def test_load_flow_names_an_unreadable_file(tmp_path):
    with pytest.raises(FlowError) as info:
        load_flow(tmp_path / "nope.yaml")
    assert "cannot read the file" in str(info.value)


@pytest.mark.parametrize("path", flow_files(), ids=lambda p: p.name)
def test_shipped_flows_load(path):
    flow = load_flow(path)
    assert flow.sections and flow.template


@pytest.mark.parametrize(
    "condition, what",
    [
        ("has_more and 'x'*10**9", "arithmetic (*)"),
        ("has_more and lipsum(10**6)", "a function call"),
        ("has_more and [1]*10**9", "arithmetic (*)"),
        ("has_more and range(10**9)|length", "a function call"),
        ("has_more and has_more.__class__", "attributes other than item.<question id>"),
        ("has_more and ('a' ~ 'b')", "joining text (~)"),
        ("has_more and has_more is defined", "an `is` test"),
        ("has_more and has_more|join(',')", "the filter 'join'"),
    ],
)
def test_conditions_outside_the_small_language_are_refused_at_load(condition, what):
    faults = faults_of(SMALL_FLOW.replace("when: has_more\n", f'when: "{condition}"\n'))
    assert len(faults) == 1
    assert faults[0].startswith(
        f"bad.yaml: sections[1].questions.more.when: condition {condition!r} is refused: "
    )
    assert what in faults[0]


@pytest.mark.parametrize(
    "condition",
    [
        "has_more",
        "not has_more",
        "has_more == true and area != '学习'",
        "area in ['学习', '工作'] or 'a' in tags",
        "tags|length >= 2 and has_more",
        "-1 < tags|length and has_more",
    ],
)
def test_the_small_language_is_enough_for_real_conditions(condition):
    flow = parse_flow(SMALL_FLOW.replace("when: has_more\n", f'when: "{condition}"\n'))
    assert flow.question("more").when == condition
