"""Last year's report into an interview that may already hold a checklist: merged, never
replacing what the user wrote."""

from __future__ import annotations

from bot import lastyear
from bot.flows import load_all
from bot.lastyear.carryover import MAX_PROBLEMS, carry_over
from bot.lastyear.parsed import ParsedReport, Point
from tests.golden_paths import GOLDEN

FLOW = load_all()["2023-zhuti"]
REPORT = lastyear.parse_text((GOLDEN / "2022-liuge.txt").read_text(encoding="utf-8"))


def test_a_first_import_adds_every_measure():
    change = carry_over(FLOW, REPORT, {})
    assert (change.added, change.kept, change.over) == (5, 0, 0)
    assert len(change.answers["ly_items"]) == 5
    assert change.answers["ly_include"] is True


def test_a_second_import_keeps_what_the_user_wrote_and_adds_only_new_measures():
    first = carry_over(FLOW, REPORT, {}).answers["ly_items"]
    answered = {**first[0], "done": "每月集中学习一次，全年12次。", "status": "done"}
    typed = {"measure": "自己加的一条措施", "done": "已经做了很多。", "status": "ongoing"}
    current = {"ly_items": [answered, *first[1:3], typed]}
    change = carry_over(FLOW, REPORT, current)
    items = change.answers["ly_items"]
    assert items[0] == answered
    assert items[3] == typed
    assert [i["measure"] for i in items[4:]] == [i["measure"] for i in first[3:]]
    assert (change.added, change.kept) == (2, 4)


def test_the_same_report_twice_adds_nothing():
    once = carry_over(FLOW, REPORT, {}).answers
    change = carry_over(FLOW, REPORT, once)
    assert change.added == 0
    assert change.answers["ly_items"] == once["ly_items"]


def test_a_full_checklist_says_how_many_were_left_out():
    current = {"ly_items": [{"measure": f"措施{i}"} for i in range(9)]}
    change = carry_over(FLOW, REPORT, current)
    assert (change.added, change.kept, change.over) == (1, 9, 4)
    assert len(change.answers["ly_items"]) == 10


def test_last_years_problems_are_capped():
    many = tuple(Point(f"问题{i}", "") for i in range(20_000))
    report = ParsedReport(title="", themes=(), problems=many, causes=(), measures=())
    assert len(carry_over(FLOW, report, {}).context["last_year_problems"]) == MAX_PROBLEMS
