"""Reading last year's 对照检查材料 back: fixtures in many shapes, our own golden reports,
the real reference example, and files that are not reports at all."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.lastyear import (
    MAX_BYTES,
    MAX_CHARS,
    NotAReport,
    ParsedReport,
    Point,
    parse_docx,
    parse_text,
    parse_upload,
)
from tests.budget import within

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "lastyear"
GOLDEN = ROOT / "tests" / "golden"
ANSWERS = ROOT / "tests" / "fixtures" / "answers"
REFERENCE = Path("/work/shared/reference/2022-town-mayor-liuge-daitou.txt")


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def headings(points: tuple[Point, ...]) -> list[str]:
    return [p.heading for p in points]


# -- documents we wrote: one row per file --------------------------------------------------

# file → title, themes, problem headings per theme (theme "" = outside any theme),
# cause headings, measure headings.
EXPECTED: dict[str, dict[str, Any]] = {
    # 一、 headings, inline 一是 points, causes as one 一是 paragraph, run-in （一） measures.
    "a_yishi_paragraph_causes.txt": {
        "title": "柳溪乡党委副书记2023年度民主生活会对照检查材料",
        "problems": {
            "在理论武装方面": ["学习缺乏计划", "学用结合不紧", "带学促学不够"],
            "在服务群众方面": ["下访次数偏少", "回应诉求不及时"],
        },
        "causes": ["理想信念有所松懈", "宗旨意识不够牢固", "作风要求有所放松"],
        "measures": ["制定学习计划", "建立走访台账", "严格自我要求"],
    },
    # 存在的问题不足 / 产生问题的根源和原因分析 / 努力方向和整改措施; themes on their own line
    # with 1. points below; causes as run-in （一） subsections.
    "b_numbered_lines_runin_causes.txt": {
        "title": "北岭街道办事处主任个人对照检查材料",
        "problems": {
            "政治能力方面": ["政治敏锐性不够强", "执行部署有时打折扣"],
            "担当作为方面": ["攻坚克难劲头减弱", "创新意识不强", "抓落实不够有力"],
        },
        "causes": ["党性修养有所放松", "担当精神不足"],
        "measures": ["提高政治站位", "增强担当本领"],
    },
    # 存在的主要问题 / 原因分析 / 下步整改措施; （1） points; measures numbered 1.
    "c_paren_numbers_numbered_measures.txt": {
        "title": "云杉社区党支部书记组织生活会对照检查材料",
        "problems": {
            "组织建设方面": ["支部活动形式单一", "发展党员工作滞后"],
            "联系群众方面": ["入户走访不够经常", "办事流程不够便民", "矛盾调解不够及时"],
        },
        "causes": ["对支部建设重视不够", "为民服务意识有所淡化"],
        "measures": ["丰富组织生活", "做好党员发展", "改进服务方式"],
    },
    # Half-width punctuation throughout: 一. (一) , ; . and spaces after the numbers.
    "d_halfwidth.txt": {
        "title": "石门县文旅局副局长2023年度民主生活会对照检查材料",
        "problems": {
            "在学习贯彻方面": ["学习不够系统", "理论联系实际不够，学了不用"],
            "在工作作风方面": [
                "调研不深入，听汇报多，看现场少",
                "文山会海问题仍有表现",
                "督办不到位",
            ],
        },
        "causes": ["理论学习动力不足", "宗旨意识淡化"],
        "measures": ["加强理论学习", "改进工作作风"],
    },
    # 第一部分 sections with 一、 themes inside, causes as 第一，第二，第三，
    # measures without numbering (a heading line, then its paragraph).
    "e_part_sections_unnumbered_measures.txt": {
        "title": "桃坪镇人大主席个人对照检查发言提纲",
        "problems": {
            "在履职尽责方面": [
                "监督工作不够有力，对重点项目跟踪问效不够",
                "代表联络站作用发挥不充分，接待选民活动次数偏少",
            ],
            "在廉洁自律方面": [
                "对身边工作人员要求不够严格",
                "勤俭节约意识有所淡化，办公用品存在浪费现象",
            ],
        },
        "causes": [
            "理论学习不够深入，思想认识存在偏差",
            "责任意识有所弱化，标准不高",
            "纪律观念有所放松",
        ],
        "measures": ["强化监督实效", "发挥代表作用", "严守廉洁底线"],
    },
    # Headings without numbers (as Word's automatic numbering leaves them), blank lines,
    # 首先/其次/再次, a 上年度整改落实情况 part, measures as one 一是 paragraph.
    "f_unnumbered_headings_lastyear.txt": {
        "title": "青禾镇组织委员2023年度组织生活会对照检查材料",
        "problems": {
            "在政治理论学习方面": [
                "学习的主动性不够，多是被动参加集中学习",
                "学习的深度不够，满足于读一读",
                "学习成果转化不够，指导实践作用不明显",
            ],
            "在党员教育管理方面": ["对流动党员管理办法不多", "党员积分管理落实不到位"],
        },
        "causes": ["党性锻炼有所放松", "工作标准不够高"],
        "measures": [
            "坚持每周自学，每月交流一次学习体会",
            "建立流动党员联系卡，每季度联系一次",
            "完善积分管理细则，年底前全面推行",
        ],
    },
    # Only the measures, pasted with their heading.
    "g_measures_only.txt": {
        "title": "",
        "problems": {},
        "causes": [],
        "measures": ["加强学习", "改进作风", "从严律己"],
    },
    # Prose themes split at their 比如 cases, run-in causes, a closing line and signature.
    "h_prose_cases_closing.txt": {
        "title": "南湾街道党工委委员2023年度专题民主生活会个人对照检查材料",
        "problems": {
            "理论学习方面": ["学习不够深入", "学用结合不紧"],
            "工作作风方面": ["调研不够扎实"],
        },
        "causes": ["学习的内生动力不足", "宗旨意识有所淡化", "纪律意识不够牢固"],
        "measures": ["在深学细悟上下功夫", "在解决问题上下功夫"],
    },
    # Level-1 parts numbered （一）, themes numbered 1., causes as bare numbered lines.
    "i_paren_sections.txt": {
        "title": "河口村党支部委员对照检查材料",
        "problems": {
            "在带头学习方面": ["参加支部学习有时请假", "自学时间偏少"],
            "在带头服务方面": [
                "帮扶困难户的办法不多",
                "参与村里公益活动较少",
                "对群众反映的问题跟进不够",
            ],
        },
        "causes": ["党员意识有所淡化", "为民服务的宗旨意识不强"],
        "measures": ["按时参加组织生活", "主动为群众办实事"],
    },
    # Saved in GB18030, as older Windows editors do.
    "j_gb18030.txt": {
        "title": "松林社区第二党支部党员2023年度组织生活会对照检查材料",
        "problems": {
            "在发挥先锋模范作用方面": ["参加志愿服务次数偏少", "对身边群众的思想动态关心不够"],
            "在遵守纪律方面": ["按时交纳党费有时需要提醒", "参加组织生活偶有迟到"],
        },
        "causes": ["党员意识有所淡化", "对自己要求不够严"],
        "measures": ["积极参加志愿服务", "严守组织纪律"],
    },
}


def check(report: ParsedReport, expected: dict[str, Any]) -> None:
    assert report.title == expected["title"]
    assert list(report.themes) == [t for t in expected["problems"] if t]
    by_theme: dict[str, list[str]] = {}
    for p in report.problems:
        by_theme.setdefault(p.theme, []).append(p.heading)
    assert by_theme == expected["problems"]
    assert headings(report.causes) == expected["causes"]
    assert headings(report.measures) == expected["measures"]
    for p in report.causes + report.measures:
        assert p.theme == ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_files_parse(name: str) -> None:
    report = parse_upload(name, (FIXTURES / name).read_bytes())
    check(report, EXPECTED[name])


def test_every_fixture_file_is_in_the_table() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(EXPECTED)


def test_bodies_keep_the_rest_of_each_point() -> None:
    report = parse_text(read("a_yishi_paragraph_causes.txt"))
    assert report.problems[0] == Point(
        "学习缺乏计划", "工作一忙就把自学放在一边，全年读书笔记不足十篇。", "在理论武装方面"
    )
    assert report.causes[2] == Point("作风要求有所放松", "满足于过得去、差不多。")
    assert report.measures[1].body == "每月走访联系村不少于三次，群众诉求一周内给出答复。"
    prose = parse_text(read("h_prose_cases_closing.txt"))
    assert prose.problems[2].body.startswith("到社区多是听汇报")
    assert "比如：今年开展的养老服务调研" in prose.problems[2].body
    # The closing line and the signature are not part of the last measure.
    assert prose.measures[-1].body == "年内拿出辖区停车难治理方案并推动落地。"


def test_points_without_a_full_stop_have_an_empty_body() -> None:
    report = parse_text(read("i_paren_sections.txt"))
    assert report.problems[0] == Point("参加支部学习有时请假", "", "在带头学习方面")
    assert report.causes[0] == Point("党员意识有所淡化", "")


def test_gb18030_file_is_not_utf8() -> None:
    data = (FIXTURES / "j_gb18030.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r"), id="cr"),
        pytest.param(lambda t: t.replace("\n", "\n\n"), id="blank-lines"),
        pytest.param(lambda t: re.sub(r"^", "  ", t, flags=re.M), id="indented"),
        pytest.param(lambda t: re.sub(r"^", "\u3000\u3000", t, flags=re.M), id="full-width-indent"),
    ],
)
def test_line_ends_and_indentation_do_not_matter(convert: Any) -> None:
    for name in ("a_yishi_paragraph_causes.txt", "h_prose_cases_closing.txt"):
        text = read(name)
        assert parse_text(convert(text)) == parse_text(text)


def test_utf8_with_bom_and_markdown_extension() -> None:
    text = read("b_numbered_lines_runin_causes.txt")
    report = parse_upload("去年.md", text.encode("utf-8-sig"))
    check(report, EXPECTED["b_numbered_lines_runin_causes.txt"])


# -- heading and numbering variants, generated ---------------------------------------------

PROBLEM_HEADINGS = ["存在的问题", "存在的问题不足", "存在的主要问题", "查摆的问题"]
CAUSE_HEADINGS = ["原因剖析", "产生问题的原因剖析", "产生问题的根源和原因分析", "原因分析"]
MEASURE_HEADINGS = ["整改措施", "下步整改措施", "努力方向和整改措施", "整改措施和努力方向"]
NUMBERINGS = {
    "一、": lambda n, h: f"{'一二三四'[n]}、{h}",
    "一.": lambda n, h: f"{'一二三四'[n]}.{h}",
    "一．spaced": lambda n, h: f"{'一二三四'[n]}． {h} ",
    "第一部分": lambda n, h: f"第{'一二三四'[n]}部分 {h}",
    "unnumbered": lambda n, h: h,
    "unnumbered-colon": lambda n, h: f"{h}：",
    "spread-out": lambda n, h: f"{'一二三四'[n]}、 " + " ".join(h),
}


def variant_report(problems: str, causes: str, measures: str, number: Any) -> str:
    return "\n".join(
        [
            "示例县示例乡干部对照检查材料",
            "按照要求，现将个人对照检查情况报告如下：",
            number(0, problems),
            "（一）在学习方面。一是学得不深。只读了几篇文章；二是用得不活。",
            "（二）在作风方面。一是调研不多；二是督办不严；三是办事拖拉。",
            number(1, "上年度整改落实情况"),
            "去年的两项措施都已完成。",
            number(2, causes),
            "一是学习动力不足；二是标准不高。",
            number(3, measures),
            "（一）加强学习。每周学习一次。",
            "（二）改进作风。每月下村五天。",
        ]
    )


@pytest.mark.parametrize("numbering", NUMBERINGS)
@pytest.mark.parametrize(
    ("problems", "causes", "measures"),
    list(zip(PROBLEM_HEADINGS, CAUSE_HEADINGS, MEASURE_HEADINGS, strict=True)),
)
def test_heading_variants(problems: str, causes: str, measures: str, numbering: str) -> None:
    report = parse_text(variant_report(problems, causes, measures, NUMBERINGS[numbering]))
    assert report.themes == ("在学习方面", "在作风方面")
    assert headings(report.problems) == ["学得不深", "用得不活", "调研不多", "督办不严", "办事拖拉"]
    assert headings(report.causes) == ["学习动力不足", "标准不高"]
    assert headings(report.measures) == ["加强学习", "改进作风"]
    assert report.summary() == "找到：问题 5 条、原因 2 条、整改措施 2 条。"


@pytest.mark.parametrize(
    ("problems_part", "expected"),
    [
        pytest.param(
            "1.学习不深。只读文件。\n2.调研不多。\n3.督办不严。",
            ["学习不深", "调研不多", "督办不严"],
            id="numbered-lines-without-themes",
        ),
        pytest.param(
            "（1）学习不深。\n（2）调研不多。",
            ["学习不深", "调研不多"],
            id="paren-lines-without-themes",
        ),
        pytest.param(
            "①学习不深。\n②调研不多。",
            ["学习不深", "调研不多"],
            id="circled-numbers",
        ),
        pytest.param(
            "一是学习不深。只读文件；\n二是调研不多；\n三是督办不严。",
            ["学习不深", "调研不多", "督办不严"],
            id="yishi-lines",
        ),
        pytest.param(
            "对照要求，我主要存在以下问题：一是学习不深；二是调研不多；三是督办不严。",
            ["学习不深", "调研不多", "督办不严"],
            id="one-inline-paragraph",
        ),
        pytest.param(
            "首先，学习不深；其次，调研不多；最后，督办不严。",
            ["学习不深", "调研不多", "督办不严"],
            id="shouxian-qici-zuihou",
        ),
        pytest.param(
            "（一）学习不深。只读文件，不读原著。\n（二）调研不多。全年只下村五次。",
            ["学习不深", "调研不多"],
            id="runin-problems-not-themes",
        ),
        pytest.param(
            "（一）政治建设\n1.学习不深。只读文件。\n2.调研不多。",
            ["学习不深", "调研不多"],
            id="theme-without-fangmian",
        ),
        pytest.param(
            "（一）在作风方面。形式主义问题仍有表现：填表多。比如：一月填表十次。"
            "调研不深。比如：只去两个村。",
            ["形式主义问题仍有表现", "调研不深"],
            id="prose-first-point-with-colon-is-not-a-lead-in",
        ),
        pytest.param(
            "（一）在作风方面。能够按时完成任务，但对照要求还存在一些不足。调研不深。"
            "比如：只去两个村。督办不严。比如：一件事拖了三个月。",
            ["调研不深", "督办不严"],
            id="prose-affirmation-ending-in-a-full-stop",
        ),
        pytest.param(
            "（一）在作风方面。能够按时完成任务。调研还不够深入，往往走马观花。",
            ["能够按时完成任务"],
            id="prose-without-cases-is-one-point",
        ),
        pytest.param(
            "（一）在统一思想方面。统一是前提。一是学习不深；二是调研不多。",
            ["学习不深", "调研不多"],
            id="yishi-only-at-a-boundary",
        ),
    ],
)
def test_problem_numbering_variants(problems_part: str, expected: list[str]) -> None:
    text = f"一、存在的问题\n{problems_part}\n二、整改措施\n（一）加强学习。每周一次。"
    assert headings(parse_text(text).problems) == expected


@pytest.mark.parametrize(
    ("measures_part", "expected"),
    [
        pytest.param(
            "（一）加强学习。每周一次。\n（二）改进作风。", ["加强学习", "改进作风"], id="runin"
        ),
        pytest.param("1.加强学习。每周一次。\n2.改进作风。", ["加强学习", "改进作风"], id="arabic"),
        pytest.param(
            "1、加强学习。每周一次。\n2、改进作风。", ["加强学习", "改进作风"], id="arabic-dun"
        ),
        pytest.param(
            "针对以上问题，我将从以下方面整改：\n（一）加强学习：每周一次。\n（二）改进作风：每月下村。",
            ["加强学习", "改进作风"],
            id="lead-in-and-colon-headings",
        ),
        pytest.param(
            "（一）加强学习\n每周一次。\n每季度写体会。\n（二）改进作风\n每月下村。",
            ["加强学习", "改进作风"],
            id="heading-lines-with-paragraphs",
        ),
        pytest.param(
            "加强学习。每周一次。\n改进作风。每月下村。",
            ["加强学习", "改进作风"],
            id="unnumbered-paragraphs",
        ),
        pytest.param("第一，加强学习；第二，改进作风。", ["加强学习", "改进作风"], id="diyi"),
        pytest.param(
            "加强学习：\n每周一次。\n改进作风：\n每月下村。",
            ["加强学习", "改进作风"],
            id="unnumbered-heading-lines-with-colons",
        ),
        pytest.param(
            "（一）加强学习。每周一次。\n（二）从严律己\n发言人：李晨",
            ["加强学习", "从严律己"],
            id="last-heading-alone-then-signature",
        ),
    ],
)
def test_measure_numbering_variants(measures_part: str, expected: list[str]) -> None:
    text = f"一、存在的问题\n一是学习不深；二是调研不多。\n二、整改措施\n{measures_part}"
    assert headings(parse_text(text).measures) == expected


def test_multi_paragraph_measure_body() -> None:
    text = "三、整改措施\n（一）加强学习\n每周一次。\n每季度写体会。\n（二）改进作风\n每月下村。"
    report = parse_text(text)
    assert report.measures[0] == Point("加强学习", "每周一次。\n每季度写体会。")


def test_a_typical_case_part_after_the_measures_is_left_out() -> None:
    text = "一、存在的问题\n一是学习不深；二是调研不多。\n二、整改措施\n（一）加强学习。\n三、典型案例剖析\n某案例说明了纪律的重要性。"
    report = parse_text(text)
    assert headings(report.measures) == ["加强学习"]


def test_measure_headings_numbered_like_sections_are_not_sections() -> None:
    """Run-in measure headings that contain 问题 or 措施 stay measures."""
    text = (
        "一、存在的问题\n一是学习不深；二是调研不多。\n二、整改措施\n"
        "（一）抓好问题整改。逐条销号。\n（二）落实整改措施。按月调度。"
    )
    assert headings(parse_text(text).measures) == ["抓好问题整改", "落实整改措施"]


# -- .docx -----------------------------------------------------------------------------------


def docx_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_built_with_python_docx() -> None:
    document = docx.Document()
    title = document.add_paragraph()
    title.add_run("东坡乡副乡长2023年度")
    title.add_run().add_break()  # a title broken over two lines is still one title
    title.add_run("民主生活会对照检查材料")
    document.add_paragraph("按照乡党委要求，现将对照检查情况报告如下：")
    document.add_heading("一、存在的问题", level=1)
    theme = document.add_paragraph()
    theme.add_run("（一）在理论学习方面。").bold = True
    theme.add_run("一是学习不够系统。时学时停；二是联系实际不够。")
    document.add_paragraph("（二）在担当作为方面。一是遇到难题绕着走；二是创新办法不多。")
    document.add_heading("二、原因剖析", level=1)
    document.add_paragraph("（一）学习动力不足。把学习当任务。")
    document.add_paragraph("（二）担当精神弱化。求稳怕乱。")
    document.add_heading("三、整改措施", level=1)
    table = document.add_table(rows=2, cols=1)  # some people lay measures out in a table
    table.cell(0, 0).text = "（一）系统学习。每周自学半天。"
    table.cell(1, 0).text = "（二）敢于担当。年内牵头解决两件难事。"
    document.add_paragraph("东坡乡 李晨")
    report = parse_upload("对照检查材料.docx", docx_bytes(document))
    assert report.title == "东坡乡副乡长2023年度民主生活会对照检查材料"
    assert report.themes == ("在理论学习方面", "在担当作为方面")
    assert headings(report.problems) == [
        "学习不够系统",
        "联系实际不够",
        "遇到难题绕着走",
        "创新办法不多",
    ]
    assert headings(report.causes) == ["学习动力不足", "担当精神弱化"]
    assert headings(report.measures) == ["系统学习", "敢于担当"]
    assert report.measures[-1].body == "年内牵头解决两件难事。"


def test_docx_with_merged_table_cells_reads_each_cell_once() -> None:
    document = docx.Document()
    document.add_paragraph("整改措施")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "（一）加强学习。每周一次。"
    table.cell(1, 0).text = "（二）改进作风。每月下村。"
    table.cell(1, 1).text = "（三）从严律己。"
    report = parse_docx(docx_bytes(document))
    assert headings(report.measures) == ["加强学习", "改进作风", "从严律己"]


@pytest.mark.parametrize("flow_id", ["2022-liuge", "2023-zhuti"])
def test_our_own_docx_reads_back(flow_id: str) -> None:
    from bot.core.yamltext import load_yaml
    from bot.report.render import build_document
    from bot.report.writers.docx import to_docx
    from tests.report.answers import flow

    fixture = load_yaml((ANSWERS / f"{flow_id}.yaml").read_text(encoding="utf-8"))
    buffer = io.BytesIO()
    to_docx(build_document(flow(flow_id), fixture["answers"], date=fixture["date"]), buffer)
    from_docx = parse_docx(buffer.getvalue())
    from_text = parse_text((GOLDEN / f"{flow_id}.txt").read_text(encoding="utf-8"))
    assert from_docx == from_text


# -- our golden reports round-trip -----------------------------------------------------------


def squash(text: str | None) -> str:
    """Text without marks and spaces: the renderer may change the marks at the seams."""
    return re.sub(r"[\s。，；：、！？,.;:]", "", text or "")


def fixture_answers(flow_id: str) -> dict[str, Any]:
    from bot.core.yamltext import load_yaml

    return load_yaml((ANSWERS / f"{flow_id}.yaml").read_text(encoding="utf-8"))["answers"]


@pytest.mark.parametrize("suffix", ["txt", "md"])
@pytest.mark.parametrize("flow_id", ["2022-liuge", "2023-zhuti"])
def test_golden_reports_round_trip(flow_id: str, suffix: str) -> None:
    answers = fixture_answers(flow_id)
    report = parse_upload(f"{flow_id}.{suffix}", (GOLDEN / f"{flow_id}.{suffix}").read_bytes())
    theme_keys = sorted(k for k in answers if re.fullmatch(r"t\d+_problems", k))
    written = [p for k in theme_keys for p in answers[k]]
    assert len(report.themes) == len(theme_keys) == 6
    assert [p.theme for p in report.problems] == [
        report.themes[i] for i, k in enumerate(theme_keys) for _ in answers[k]
    ]
    assert len(report.problems) == len(written)
    for found, wrote in zip(report.problems, written, strict=True):
        whole = squash(found.heading + found.body)
        if wrote.get("summary"):
            assert squash(found.heading) == squash(wrote["summary"])
        else:
            assert squash(wrote["detail"]).startswith(squash(found.heading))
        assert squash(wrote["detail"]) in whole
        if wrote.get("case"):
            assert squash(wrote["case"]) in squash(found.body)
    assert len(report.causes) == len(answers["causes"])
    for found, wrote in zip(report.causes, answers["causes"], strict=True):
        if "text" in wrote:
            assert squash(found.heading + found.body) == squash(wrote["text"])
        else:
            assert squash(found.heading) == squash(wrote["heading"])
            assert squash(found.body) == squash(wrote["body"])
    assert len(report.measures) == len(answers["measures"])
    for found, wrote in zip(report.measures, answers["measures"], strict=True):
        assert squash(found.heading) == squash(wrote["heading"])
        assert squash(found.body) == squash(wrote["body"])
    assert report.title.endswith("对照检查材料")


def test_golden_counts() -> None:
    for flow_id in ("2022-liuge", "2023-zhuti"):
        report = parse_text((GOLDEN / f"{flow_id}.txt").read_text(encoding="utf-8"))
        assert Counter(p.theme for p in report.problems) == Counter({t: 3 for t in report.themes})
        assert report.summary() == "找到：问题 18 条、原因 5 条、整改措施 5 条。"


# -- the real reference example ----------------------------------------------------------------


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference example is not on this machine")
def test_reference_report() -> None:
    report = parse_upload(REFERENCE.name, REFERENCE.read_bytes())
    assert report.title.endswith("“六个带头”对照检查材料")
    assert len(report.themes) == 6
    assert all(t.startswith("在带头") and t.endswith("方面") for t in report.themes)
    # As written: the second theme is prose without 一是, the others enumerate 3 or 4 points.
    per_theme = [sum(1 for p in report.problems if p.theme == t) for t in report.themes]
    assert per_theme == [3, 1, 3, 4, 3, 4]
    assert len(report.causes) == 6
    assert len(report.measures) == 4
    assert report.summary() == "找到：问题 18 条、原因 6 条、整改措施 4 条。"
    for point in report.problems + report.causes + report.measures:
        assert point.heading and not re.search(r"^[一二三四五六七八九十]是|[；。]$", point.heading)
    # Measures have bodies; the enumerated problems' summary clauses are short.
    assert all(len(m.body) > 100 for m in report.measures)
    assert all(len(m.heading) <= 12 for m in report.measures)
    # Nothing of the opening paragraph leaks into the parts.
    assert not any("汇报如下" in p.heading + p.body for p in report.problems)


# -- not reports ---------------------------------------------------------------------------

ARTICLE = """春天的田野

清晨，薄雾还没有散去，田埂上已经有了忙碌的身影。
村口的老槐树下，几位老人聊着今年的雨水和收成。
孩子们背着书包走过小桥，笑声在山谷里回荡。
傍晚，炊烟升起，一天的劳作告一段落。"""


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        pytest.param("a.txt", b"", "文件是空的", id="empty-file"),
        pytest.param("a.txt", "  \n\r\n\u3000 ".encode(), "内容是空的", id="blank-text"),
        pytest.param("a.txt", ARTICLE.encode(), "看起来不是对照检查材料", id="article"),
        pytest.param("照片.docx", PNG, "这是一张图片", id="image-named-docx"),
        pytest.param("照片.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "这是一张图片", id="jpeg"),
        pytest.param("表格.xlsx", xlsx_bytes(), "这是一个表格文件", id="xlsx"),
        pytest.param("表格.docx", xlsx_bytes(), "这是一个 Excel 表格", id="xlsx-named-docx"),
        pytest.param("材料.pdf", b"%PDF-1.7\n" + bytes(50), "暂不支持 PDF 文件", id="pdf"),
        pytest.param("材料", b"%PDF-1.7\n" + bytes(50), "暂不支持 PDF 文件", id="pdf-unnamed"),
        pytest.param("材料.doc", b"\xd0\xcf\x11\xe0" + bytes(50), "旧版 Word（.doc）", id="doc"),
        pytest.param("材料.docx", b"not a zip at all", "不是 Word（.docx）文档", id="garbage"),
        pytest.param("材料.docx", b"PK\x03\x04broken", "不是 Word（.docx）文档", id="broken-zip"),
        pytest.param("材料.rtf", b"{\\rtf1}", "暂不支持 .rtf 文件", id="rtf"),
        pytest.param("材料.txt", b"\x00\x01\x02binary", "不是文字文件", id="binary-txt"),
        pytest.param("大.docx", b"PK" + bytes(MAX_BYTES), "文件太大", id="too-big-docx"),
        pytest.param("大.txt", "问".encode() * (MAX_BYTES // 3 + 1), "文件太大", id="too-big-txt"),
    ],
)
def test_uploads_that_are_not_reports(filename: str, data: bytes, message: str) -> None:
    with pytest.raises(NotAReport, match=re.escape(message)) as raised:
        parse_upload(filename, data)
    text = str(raised.value)
    assert "\n" not in text and re.search(r"[\u4e00-\u9fff]", text)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    "filename", ["照片.docx", "表格.xlsx", "材料.pdf", "材料.doc", "材料.rtf", "大.txt"]
)
def test_refusals_say_what_to_do_instead(filename: str) -> None:
    data = {"照片.docx": PNG, "表格.xlsx": xlsx_bytes()}.get(filename, b"%PDF")
    if filename == "大.txt":
        data = bytes(MAX_BYTES + 1)
    with pytest.raises(NotAReport) as raised:
        parse_upload(filename, data)
    assert "粘贴" in str(raised.value)


def test_exact_messages() -> None:
    with pytest.raises(NotAReport) as raised:
        parse_text(ARTICLE)
    assert str(raised.value) == (
        "没有找到“存在的问题”“整改措施”这样的标题，看起来不是对照检查材料。"
        "请确认发送的是去年的对照检查材料全文。"
    )
    with pytest.raises(NotAReport) as raised:
        parse_upload("表格.docx", xlsx_bytes())
    assert str(raised.value) == (
        "这是一个 Excel 表格，不是 Word 文档。"
        "请在 Word 或 WPS 里“另存为” .docx 格式后再发送，或者直接把全文复制粘贴过来。"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(ARTICLE, id="article"),
        pytest.param("一、背景\n今年雨水多。\n二、经过\n大家齐心协力。", id="other-headings"),
        pytest.param("存在的问题\n整改措施", id="headings-without-content"),
        pytest.param("主要问题是学习不够。\n措施是多学习。", id="keywords-in-sentences"),
    ],
)
def test_texts_that_are_not_reports(text: str) -> None:
    with pytest.raises(NotAReport):
        parse_text(text)


def test_parse_docx_refuses_what_is_not_docx() -> None:
    for data in (PNG, xlsx_bytes(), b"", b"%PDF-1.4", bytes(MAX_BYTES + 1)):
        with pytest.raises(NotAReport):
            parse_docx(data)


def test_upload_without_an_extension_is_sniffed() -> None:
    text = read("g_measures_only.txt")
    assert parse_upload("", text.encode()) == parse_text(text)
    document = docx.Document()
    document.add_paragraph("整改措施")
    document.add_paragraph("（一）加强学习。每周一次。")
    assert headings(parse_upload("去年的材料", docx_bytes(document)).measures) == ["加强学习"]


def test_upload_of_a_docx_renamed_txt() -> None:
    document = docx.Document()
    document.add_paragraph("整改措施")
    document.add_paragraph("（一）加强学习。每周一次。")
    report = parse_upload("材料.txt", docx_bytes(document))
    assert headings(report.measures) == ["加强学习"]


# -- summary, types -----------------------------------------------------------------


def test_summary() -> None:
    assert ParsedReport("", (), (), ()).summary() == "没有找到问题、原因或整改措施。"
    report = parse_text(read("g_measures_only.txt"))
    assert report.summary() == "找到：整改措施 3 条。"
    assert parse_text(read("a_yishi_paragraph_causes.txt")).summary() == (
        "找到：问题 5 条、原因 3 条、整改措施 3 条。"
    )


def test_results_are_frozen() -> None:
    report = parse_text(read("g_measures_only.txt"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.measures[0].heading = "x"  # type: ignore[misc]
    assert isinstance(report.measures, tuple) and isinstance(report.themes, tuple)
    assert MAX_BYTES == 2 * 1024 * 1024


# -- time and size --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("学习不够深入" * 40_000, id="prose-without-case-or-full-stop"),
        pytest.param("-。" * 100_000, id="stray-marks"),
        pytest.param("中" + "," * 200_000, id="commas"),
        pytest.param("学" + " " * 200_000 + "a", id="blanks"),
    ],
)
def test_a_long_text_is_read_in_linear_time(body: str) -> None:
    """200 KB like these took minutes: a search for 。 from every position, a point's text
    copied once per stray mark."""
    text = f"一、存在的问题\n{body}\n二、整改措施\n1.加强学习。每周一次。"
    with within(10):
        try:
            report = parse_text(text, max_chars=None)
        except NotAReport:
            return
    assert headings(report.measures) == ["加强学习"]


def test_text_over_the_character_cap_is_refused_unread() -> None:
    text = read("g_measures_only.txt")
    padded = text + "\n" + "。" * (MAX_CHARS - len(text) - 1)
    assert parse_text(padded).measures  # at the cap: read
    with pytest.raises(NotAReport, match="超过 10 万字符"):
        parse_text(padded + "。")
    with pytest.raises(NotAReport, match="超过 10 万字符"):
        parse_upload("去年.txt", (padded + "。").encode())


def _with_body(body: bytes) -> bytes:
    """A .docx made by python-docx whose document body is replaced by `body`."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(docx.Document())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                start = data.index(b"<w:body>") + len(b"<w:body>")
                data = data[:start] + body + b"</w:body></w:document>"
            archive.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        b"<w:p>" + b"<w:r><w:t>a</w:t></w:r>" * 300_000 + b"</w:p>",  # tiny runs
        b"<w:p/>" * 1_000_000,  # empty paragraphs
        b"<w:p><w:r><w:t>" + b"<w:br/>" * 300_000 + b"</w:t></w:r></w:p>",  # a deep run
    ],
    ids=["runs", "paragraphs", "breaks"],
)
def test_a_docx_that_unpacks_into_masses_of_elements_is_refused_while_streaming(body: bytes):
    """Refused by a streaming count, before python-docx builds the tree (which took 30 s and
    1.7 GB for such a file at the unpacked-size cap)."""
    data = _with_body(body)
    assert len(data) < MAX_BYTES
    with pytest.raises(NotAReport, match="结构异常复杂"):
        parse_docx(data)


def test_a_docx_whose_text_passes_the_character_cap_is_refused_while_streaming():
    run = b"<w:p><w:r><w:t>" + "好".encode() * 60_000 + b"</w:t></w:r></w:p>"
    with pytest.raises(NotAReport, match="内容太长"):
        parse_docx(_with_body(run * 2))


def test_a_big5_file_is_read_as_big5_not_as_gb18030() -> None:
    """GB18030 decodes Big5 bytes without error, into nonsense that is "not a report"."""
    from bot.lastyear import files

    simplified = (GOLDEN / "2022-liuge.txt").read_text(encoding="utf-8")
    to_traditional = {v: k for k, v in files._TO_SIMPLIFIED.items()}
    data = simplified.translate(to_traditional).encode("big5", errors="ignore")
    assert (
        parse_upload("去年的材料.txt", data).summary()
        == "找到：问题 18 条、原因 5 条、整改措施 5 条。"
    )
