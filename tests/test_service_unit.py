"""The README's systemd unit: what the issue asks of it, and systemd's own check of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
UNIT_PATH = "/etc/systemd/system/duizhao.service"


def readme_unit() -> str:
    found = re.search(rf"```ini\n# {UNIT_PATH}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert found, "the README shows no systemd unit"
    return found[1]


def settings(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_restarts_on_failure_and_keeps_the_database_in_its_state_directory():
    unit = settings(readme_unit())
    assert unit["Restart"] == ["on-failure"]
    assert unit["StateDirectory"] == ["duizhao"]
    assert "BOT_DB=%S/duizhao/duizhao.db" in unit["Environment"]
    assert unit["EnvironmentFile"] == ["/etc/duizhao/env"]
    assert unit["User"] == ["duizhao"]
    assert unit["ExecStart"] == ["/opt/duizhao/bin/duizhao run"]
    # The stop timeout leaves room for the bot's own 10 seconds.
    assert int(unit["TimeoutStopSec"][0]) > 10


def test_the_env_file_is_made_readable_by_the_service_user_only():
    text = README.read_text(encoding="utf-8")
    assert "install -m 0600 -o duizhao -g duizhao /dev/null /etc/duizhao/env" in text


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path):
    duizhao = Path(sys.executable).with_name("duizhao")
    unit = tmp_path / "duizhao.service"
    unit.write_text(readme_unit().replace("/opt/duizhao/bin/duizhao", str(duizhao)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path
    )
    complaints = [line for line in result.stderr.splitlines() if "duizhao.service" in line]
    assert result.returncode == 0 and not complaints, result.stderr
