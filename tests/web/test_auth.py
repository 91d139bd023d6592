"""Who may open the page: Mini App initData signed by Telegram, or a signed desktop link."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Storage
from bot.web.auth import Gate, Refused
from tests.web.initdata import TEST_TOKEN, init_data


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def storage(tmp_path, clock):
    return Storage(tmp_path / "duizhao.db", clock=clock)


@pytest.fixture
def gate(storage):
    return Gate(storage, TEST_TOKEN)


def test_valid_init_data_names_the_telegram_user(gate):
    viewer = gate.viewer(f"tma {init_data(42)}")
    assert viewer.owner == "tg:42" and viewer.in_telegram


def test_init_data_signed_with_another_token_is_refused(gate):
    forged = init_data(42, token="987654321:" + "B" * 35)
    with pytest.raises(Refused, match="无效"):
        gate.viewer(f"tma {forged}")


def test_init_data_with_another_user_swapped_in_is_refused(gate):
    genuine = init_data(42)
    altered = genuine.replace("%22id%22%3A+42", "%22id%22%3A+43")
    assert altered != genuine
    with pytest.raises(Refused):
        gate.viewer(f"tma {altered}")


def test_init_data_older_than_a_day_is_refused(gate):
    with pytest.raises(Refused, match="过期"):
        gate.viewer(f"tma {init_data(42, auth_date=time.time() - 86_400 - 60)}")


def test_a_user_outside_the_allowed_list_is_refused(storage):
    gate = Gate(storage, TEST_TOKEN, allowed_users=frozenset({7}))
    assert gate.viewer(f"tma {init_data(7)}").owner == "tg:7"
    with pytest.raises(Refused, match="私人"):
        gate.viewer(f"tma {init_data(42)}")


def test_init_data_is_refused_when_no_bot_token_is_set(storage):
    with pytest.raises(Refused):
        Gate(storage).viewer(f"tma {init_data(42)}")


def test_no_header_is_refused(gate):
    for header in (None, "", "Bearer x", "link"):
        with pytest.raises(Refused):
            gate.viewer(header)


def test_a_link_opens_the_page_for_its_owner_for_a_day(gate, storage, clock):
    token = storage.new_link_token("tg:42")
    assert gate.viewer(f"link {token}").owner == "tg:42"
    assert not gate.viewer(f"link {token}").in_telegram
    clock.now += timedelta(hours=23, minutes=59)
    assert gate.viewer(f"link {token}").owner == "tg:42"
    clock.now += timedelta(minutes=2)
    with pytest.raises(Refused, match="过期"):
        gate.viewer(f"link {token}")


def test_a_new_link_revokes_the_old_one(gate, storage):
    old = storage.new_link_token("tg:42")
    new = storage.new_link_token("tg:42")
    assert gate.viewer(f"link {new}").owner == "tg:42"
    with pytest.raises(Refused):
        gate.viewer(f"link {old}")


def test_web_off_revokes_the_link(gate, storage):
    token = storage.new_link_token("tg:42")
    assert storage.revoke_links("tg:42")
    with pytest.raises(Refused):
        gate.viewer(f"link {token}")
    assert not storage.revoke_links("tg:42")


def test_an_altered_link_reaches_no_one(gate, storage):
    mine = storage.new_link_token("tg:42")
    storage.new_link_token("tg:43")
    name, expires, mac = mine.split(".")
    other = storage.new_link_token("tg:43").split(".")[0]
    for altered in (
        f"{other}.{expires}.{mac}",  # another user's id with my signature
        f"{name}.{int(expires) + 86_400}.{mac}",  # a later expiry
        f"{name}.{expires}.{mac[:-1]}0",
        f"{name}.{expires}",
        "not-base64!.x.y",
    ):
        with pytest.raises(Refused):
            gate.viewer(f"link {altered}")
    assert gate.viewer(f"link {mine}").owner == "tg:42"
