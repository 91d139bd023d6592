"""An organisation's own flows (--flows DIR / BOT_FLOWS), as an operator and a user meet them."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bot import cli
from bot.flows import NoFlows, load_all
from tests.console_script import script
from tests.e2e.botprocess import TOKEN
from tests.own_flows import ANSWERS, write_readme_example
from tests.typed import typed_texts


@pytest.fixture
def myflows(tmp_path) -> Path:
    return write_readme_example(tmp_path)


def duizhao(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    for name in ("BOT_FLOWS", "BOT_DB", "BOT_TOKEN"):
        if name not in env:
            environ.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_the_readme_example_passes_flows_check(myflows):
    result = duizhao("flows", "check", "--flows", str(myflows))
    assert result.returncode == 0, result.stderr
    assert f"{myflows}/flows/county-2025.yaml: ok (county-2025, 3 sections)" in result.stdout
    assert "zuzhi.yaml: ok" in result.stdout  # the shipped ones are checked too


def test_the_readme_example_is_offered_next_to_the_shipped_flows(myflows):
    result = duizhao("flows", "list", BOT_FLOWS=str(myflows))
    ids = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "county-2025" in ids and "zuzhi" in ids and "2022-liuge" in ids


def test_the_readme_example_makes_a_report_in_the_console(myflows, tmp_path):
    flow = load_all(myflows)["county-2025"]
    lines = script(flow, ANSWERS)
    result = duizhao(
        "console",
        "--flows",
        str(myflows),
        "--flow",
        "county-2025",
        "--db",
        str(tmp_path / "c.db"),
        "--out",
        str(tmp_path / "out"),
        stdin="\n".join(lines) + "\n",
    )
    assert "报告已生成" in result.stdout, result.stdout[-2000:]
    [report] = (tmp_path / "out").glob("*.docx")
    text = "\n".join(p.text for p in docx.Document(report).paragraphs)
    assert text.replace("\n", "").startswith(flow.title)  # the title is balanced over lines
    assert [p for p in typed_texts(flow, ANSWERS) if p not in text] == []


def test_an_own_flow_with_a_shipped_id_replaces_it_and_says_so(myflows):
    own = myflows / "flows" / "county-2025.yaml"
    text = own.read_text(encoding="utf-8").replace("id: county-2025", "id: zuzhi")
    own.unlink()
    (myflows / "flows" / "zuzhi.yaml").write_text(text, encoding="utf-8")
    result = duizhao("flows", "list", "--flows", str(myflows))
    assert result.returncode == 0, result.stderr
    assert "自定义流程 zuzhi" in result.stderr and "替换了内置的同名流程" in result.stderr
    zuzhi = [line for line in result.stdout.splitlines() if line.startswith("zuzhi\t")]
    assert zuzhi == [
        f"zuzhi\t2025年度组织生活会党员对照检查材料（县直机关）\t{own.with_name('zuzhi.yaml')}"
    ]


def test_a_broken_own_flow_stops_the_bot_with_one_line(myflows, tmp_path):
    flow_file = myflows / "flows" / "county-2025.yaml"
    text = flow_file.read_text(encoding="utf-8")
    flow_file.write_text(text.replace("        max: 5\n", "        max: 0\n", 1), encoding="utf-8")
    result = duizhao(
        "run", BOT_FLOWS=str(myflows), BOT_TOKEN=TOKEN, BOT_DB=str(tmp_path / "bot.db")
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"错误：流程文件有误：{flow_file}: sections[0].questions.t1_problems.")
    assert f"duizhao flows check {flow_file}" in line
    assert not (tmp_path / "bot.db").exists()


def test_a_broken_own_flow_stops_the_console_with_one_line(myflows, tmp_path):
    flow_file = myflows / "flows" / "county-2025.yaml"
    flow_file.write_text("id: county-2025\ntitle: [未闭合\n", encoding="utf-8")
    result = duizhao("console", "--flows", str(myflows), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"错误：流程文件有误：{flow_file}: line 3, column 1")
    assert "YAML syntax error" in line


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (None, "自定义流程目录不存在"),
        ("templates", "里没有 flows 文件夹：流程文件请放在"),
        ("flows", "里没有流程文件（*.yaml）"),
    ],
)
def test_an_own_folder_that_holds_no_flows_is_named(tmp_path, layout, message):
    folder = tmp_path / "myflows"
    if layout:
        (folder / layout).mkdir(parents=True)
    result = duizhao("console", "--flows", str(folder), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 1
    assert result.stderr.startswith("错误：自定义流程目录") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_no_flows_at_all_is_a_clear_message_not_an_empty_menu(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "flows"
    empty.mkdir()
    with pytest.raises(NoFlows):
        load_all(shipped=empty)
    monkeypatch.setattr(cli, "load_all", functools.partial(load_all, shipped=empty))
    monkeypatch.delenv("BOT_FLOWS", raising=False)
    assert cli.main(["console", "--db", str(tmp_path / "c.db")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("错误：没有可用的材料模板") and "BOT_FLOWS" in err
