"""Server settings: addresses as users type them, consent per host, the settings file, and
API keys in the keyring (never in the file, never in logs)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError
from desktop_app.settings import (
    ApiKeys,
    AppSettings,
    ServerAddress,
    ServerSettings,
    load_settings,
    save_settings,
)
from desktop_app.settings.secrets import SERVICE, MemoryKeyring

KEY = "sk-iris-settings-8d21e0"


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "base", "label"),
    [
        ("gpu-box:8000", "http", "gpu-box", 8000, "", "gpu-box:8000"),
        ("http://gpu-box:8000", "http", "gpu-box", 8000, "", "gpu-box:8000"),
        ("  http://gpu-box:8000/  ", "http", "gpu-box", 8000, "", "gpu-box:8000"),
        ("https://ai.example.org/v1", "https", "ai.example.org", 443, "", "ai.example.org:443"),
        ("http://gpu-box/v1/", "http", "gpu-box", 80, "", "gpu-box:80"),
        ("http://gpu-box:8000/v1/chat/completions", "http", "gpu-box", 8000, "", "gpu-box:8000"),
        ("https://home.lan/ollama/v1", "https", "home.lan", 443, "/ollama", "home.lan:443"),
        ("HTTP://GPU-Box:11434", "http", "gpu-box", 11434, "", "gpu-box:11434"),
        ("http://[::1]:8080", "http", "::1", 8080, "", "[::1]:8080"),
        ("[fd00::5]:9000", "http", "fd00::5", 9000, "", "[fd00::5]:9000"),
        ("192.168.1.20:1234", "http", "192.168.1.20", 1234, "", "192.168.1.20:1234"),
    ],
)  # fmt: skip
def test_parse_addresses_as_users_type_them(
    url: str, scheme: str, host: str, port: int, base: str, label: str
) -> None:
    address = ServerAddress.parse(url)
    assert (address.scheme, address.host, address.port, address.base_path) == (
        scheme,
        host,
        port,
        base,
    )
    assert address.label == label
    assert address.path("/v1/models") == base + "/v1/models"
    assert address.origin() == f"{scheme}://{label}"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://gpu-box",
        "http://",
        "http://user:secret@gpu-box:8000",
        "http://gpu-box:99999",
        "http://gpu-box:port",
        "http://gpu-box:8000/v1?key=1",
        "http://gpu-box:8000/#top",
        "file:///etc/passwd",
    ],
)
def test_bad_urls_are_bad_input_with_a_sentence(url: str) -> None:
    with pytest.raises(BadInputError) as raised:
        ServerAddress.parse(url)
    assert raised.value.message == messages.SERVER_URL_BAD.format(url=url)
    assert raised.value.exit_code == 2
    assert "secret" not in raised.value.message or "secret" in url


def test_an_empty_url_says_how_to_fill_it() -> None:
    with pytest.raises(BadInputError) as raised:
        ServerAddress.parse("   ")
    assert raised.value.message == messages.SERVER_URL_MISSING


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:8000", True),
        ("http://LocalHost:8000", True),
        ("http://models.localhost:8000", True),
        ("http://127.0.0.1:8000", True),
        ("http://127.9.8.7:8000", True),
        ("http://[::1]:8000", True),
        ("http://gpu-box:8000", False),
        ("http://192.168.1.20:8000", False),
        ("http://10.0.0.2:8000", False),
        ("http://[fd00::5]:8000", False),
        ("http://127.0.0.1.nip.io:8000", False),
        ("http://localhost.example.com:8000", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    address = ServerAddress.parse(url)
    assert address.is_loopback is loopback
    assert address.plain_http_to_other_host is not loopback
    assert ServerSettings().approved(address) is loopback


def test_where_the_model_runs_in_words() -> None:
    assert ServerAddress.parse("https://gpu-box:8443").location() == (
        messages.LOCATION_SERVER.format(server="gpu-box:8443")
    )
    assert ServerAddress.parse("http://gpu-box:8000").location() == (
        messages.LOCATION_SERVER_PLAIN.format(server="gpu-box:8000")
    )
    assert ServerAddress.parse("http://localhost:8000").location() == (
        messages.LOCATION_SERVER.format(server="localhost:8000")
    )
    assert not ServerAddress.parse("https://gpu-box").plain_http_to_other_host


def test_approving_a_host_is_per_host_and_port() -> None:
    box = ServerAddress.parse("http://gpu-box:8000")
    settings = ServerSettings(url="http://gpu-box:8000")
    assert not settings.approved(box)
    approved = settings.approving(box)
    assert approved.approved(box)
    assert approved.approving(box) is approved  # once only
    assert approved.approved_hosts == ("gpu-box:8000",)
    assert approved.approved(ServerAddress.parse("https://gpu-box:8000/v1"))  # same host:port
    assert not approved.approved(ServerAddress.parse("http://gpu-box:9000"))
    assert not approved.approved(ServerAddress.parse("http://other-box:8000"))
    assert settings.approved_hosts == ()  # frozen: the original is unchanged


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        ServerSettings(stall_timeout_s=0)
    with pytest.raises(ValueError):
        ServerSettings(connect_timeout_s=-1)
    with pytest.raises(ValueError):
        ServerSettings(longest_edge=10)


def test_server_settings_round_trip_without_the_key(tmp_path: Path) -> None:
    server = ServerSettings(
        enabled=True,
        url="https://gpu-box:8443/v1",
        model="HuggingFaceTB/SmolVLM2-2.2B-Instruct",
        verify_tls=True,
        ca_file=str(tmp_path / "home-ca.pem"),
        connect_timeout_s=5.0,
        stall_timeout_s=90.0,
        longest_edge=1024,
        detail_longest_edge=2048,
        approved_hosts=("gpu-box:8443", "[fd00::5]:9000"),
    )
    keys = ApiKeys(MemoryKeyring())
    assert keys.remember(ServerAddress.parse(server.url).origin(), KEY)
    path = save_settings(AppSettings(server=server), tmp_path / "settings.json")
    loaded = load_settings(path)
    assert loaded.server == server
    assert isinstance(loaded.server.approved_hosts, tuple)
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert "key" not in json.loads(text)["server"]
    assert load_settings(tmp_path / "absent.json").server == ServerSettings()


def test_older_settings_files_get_the_default_server(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"engine": {"model": "x"}, "server": {"url": "gpu:1", "old": 1}}))
    loaded = load_settings(path)
    assert loaded.server == ServerSettings(url="gpu:1")
    path.write_text(json.dumps({"engine": {"model": "x"}}))
    assert load_settings(path).server == ServerSettings()


def test_api_keys_in_a_keyring() -> None:
    keyring = MemoryKeyring()
    keys = ApiKeys(keyring)
    origin = ServerAddress.parse("https://gpu-box:8443").origin()
    assert keys.get(origin) == ""
    assert keys.remember(origin, KEY) is True
    assert keyring.entries == {(SERVICE, origin): KEY}
    assert ApiKeys(keyring).get(origin) == KEY  # kept beyond this object
    assert keys.get("https://other:1") == ""
    assert keys.remember(origin, "") is True  # an empty key forgets
    assert keys.get(origin) == ""
    keys.remember(origin, KEY)
    keys.forget(origin)
    assert keyring.entries == {}


class BrokenKeyring:
    """A keyring that refuses everything (locked, or no Secret Service)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("no keyring here")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring here")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("no keyring here")


def test_without_a_keyring_the_key_lasts_the_session(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keys = ApiKeys(BrokenKeyring())
    origin = "http://gpu-box:8000"
    assert keys.get(origin) == ""
    assert keys.remember(origin, KEY) is False
    assert keys.get(origin) == KEY
    assert ApiKeys(BrokenKeyring()).get(origin) == ""  # not kept anywhere else
    keys.forget(origin)
    assert keys.get(origin) == ""
    assert caplog.records
    assert all(KEY not in record.getMessage() for record in caplog.records)
    assert all(record.levelno < logging.ERROR for record in caplog.records)
