"""The command line as a user runs it: flows check, export → import, render."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from bot.cli import main
from bot.flows import FLOWS_DIR
from bot.storage import Storage

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


def test_flows_check_passes_on_the_shipped_flows(capsys):
    assert main(["flows", "check"]) == 0
    out = capsys.readouterr().out
    assert "2022-liuge.yaml: ok" in out and "2023-zhuti.yaml: ok" in out


def test_flows_check_names_every_fault_and_fails(tmp_path, capsys):
    shutil.copytree(FLOWS_DIR.parent / "templates", tmp_path / "templates")
    (tmp_path / "flows").mkdir()
    broken = tmp_path / "flows" / "broken.yaml"
    text = (FLOWS_DIR / "2022-liuge.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("        max: 6\n", "        max: 0\n", 1))
    assert main(["flows", "check", str(broken)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(
        e.startswith(f"{broken}: sections[")
        and e.endswith("].questions.t1_problems.min: min 1 is greater than max 0")
        for e in err
    ), err
    assert any(".questions.t1_problems.max: max must be between 1 and 20" in e for e in err)


def test_flows_list(capsys):
    assert main(["flows", "list"]) == 0
    assert "2022-liuge\t2022年度民主生活会“六个带头”对照检查材料" in capsys.readouterr().out


def test_import_then_export_gives_the_same_answers(tmp_path, capsys):
    db = tmp_path / "x.db"
    source = FIXTURES / "2022-liuge.yaml"
    assert main(["import", str(source), "--db", str(db), "--user", "u"]) == 0
    assert "已导入为材料 #1" in capsys.readouterr().out
    out = tmp_path / "back.yaml"
    assert main(["export", "1", "--db", str(db), "-o", str(out)]) == 0
    from bot.core.answersfile import parse
    from bot.flows import load_all

    flows = load_all()
    _, original = parse(source.read_text(encoding="utf-8"), flows)
    _, exported = parse(out.read_text(encoding="utf-8"), flows)
    assert exported.answers == original.answers


def test_render_writes_the_chosen_formats(tmp_path, capsys):
    source = FIXTURES / "2023-zhuti.yaml"
    assert main(["render", str(source), "-o", str(tmp_path), "--format", "docx,txt"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023-zhuti.docx", "2023-zhuti.txt"]
    body = "\n".join(p.text for p in docx.Document(tmp_path / "2023-zhuti.docx").paragraphs)
    assert body.splitlines()[-1] == "2024年1月18日"  # the date the answers file gives
    assert (tmp_path / "2023-zhuti.txt").read_text(encoding="utf-8").startswith("青石镇副镇长")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("flow: nope\nanswers: {}\n", "未知的材料模板：'nope'"),
        ("flow: 2022-liuge\nanswers:\n  position: 镇\n", "position：1 字，少于 2 字"),
        ("flow: 2022-liuge\nanswers:\n  colour: red\n", "colour：流程里没有这一题"),
        (
            "flow: 2022-liuge\nanswers:\n  position: 镇长" + "a" * 1500 + "\n",
            "position：1502 个字符，超过上限 220 个字符",
        ),
        ("flow: 2022-liuge\nanswers: [1\n", "不是有效的 YAML"),
        ("flow: 2022-liuge\ndate: 8 Jan\nanswers: {}\n", "date 应写成 2026-01-08 的形式"),
    ],
)
def test_a_bad_answers_file_is_one_clear_message(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    assert main(["render", str(bad), "-o", str(tmp_path / "out")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_render_refuses_an_unknown_format(tmp_path, capsys):
    assert (
        main(["render", str(FIXTURES / "2022-liuge.yaml"), "--format", "pdf", "-o", str(tmp_path)])
        == 1
    )
    assert "不支持的格式：pdf" in capsys.readouterr().err


def test_export_of_an_unknown_interview(tmp_path, capsys):
    Storage(tmp_path / "x.db").close()
    assert main(["export", "7", "--db", str(tmp_path / "x.db")]) == 1
    assert "没有编号为 7 的材料" in capsys.readouterr().err


def _imported(tmp_path, capsys) -> Path:
    db = tmp_path / "x.db"
    assert main(["import", str(FIXTURES / "2022-liuge.yaml"), "--db", str(db), "--user", "u"]) == 0
    capsys.readouterr()
    return db


def test_export_never_overwrites_a_file_or_follows_a_symlink(tmp_path, capsys):
    db = _imported(tmp_path, capsys)
    existing = tmp_path / "keep.yaml"
    existing.write_text("mine", encoding="utf-8")
    assert main(["export", "1", "--db", str(db), "-o", str(existing)]) == 1
    assert "已经存在，不会覆盖" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "mine"
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")  # dangling: following it would create a file
    assert main(["export", "1", "--db", str(db), "-o", str(link)]) == 1
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_render_with_no_format_is_an_error(tmp_path, capsys):
    source = str(FIXTURES / "2022-liuge.yaml")
    assert main(["render", source, "--format", ",", "-o", str(tmp_path / "out")]) == 1
    assert "没有指定格式" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["export", "1"], ["delete", "1", "--yes"]])
def test_commands_that_read_do_not_create_a_database(tmp_path, capsys, command):
    typo = tmp_path / "typo.db"
    assert main([*command, "--db", str(typo)]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not typo.exists()


def test_a_database_from_a_newer_program_is_refused(tmp_path, capsys):
    import sqlite3

    db = _imported(tmp_path, capsys)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('duizhao', 'm999_future', '2030-01-01')"
        )
    assert main(["export", "1", "--db", str(db)]) == 1
    assert "由更新版本的 duizhao 建立" in capsys.readouterr().err
