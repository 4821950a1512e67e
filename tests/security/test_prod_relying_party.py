"""Passkeys registered against `localhost` or an IP only ever work there, and an origin over plain
http lets a relay on the path carry a login ceremony: prod refuses to start on either, saying
which variable to fix, and `telehall doctor` reports it (a warning outside prod)."""

import os
import subprocess
import sys

import pytest

from domain.doctor import Severity, settings_findings
from domain.relying_party import relying_party_problems
from server.settings import Env, Settings, load_settings

SECRETS = {"payment_secret": "p" * 24 + "Q7-xz1" * 4, "id_number_secret": "i" * 24 + "K3_ab9" * 4}
GOOD_RP = "hall.example.com"
GOOD_ORIGINS = "https://hall.example.com,https://m.hall.example.com,android:apk-key-hash:Zm9v"


def _prod(rp_id: str, origins: str) -> Settings:
    return Settings(env=Env.PROD, webauthn_rp_id=rp_id, webauthn_origins=origins, **SECRETS)


def test_prod_starts_on_a_real_domain_with_https_origins():
    assert _prod(GOOD_RP, GOOD_ORIGINS).webauthn_rp_id == GOOD_RP


@pytest.mark.parametrize(
    ("rp_id", "why"),
    [
        ("localhost", "is localhost"),
        ("LOCALHOST.", "is localhost"),
        ("hall.localhost", "is localhost"),
        ("127.0.0.1", "is an IP address"),
        ("10.1.2.3", "is an IP address"),
        ("::1", "is an IP address"),
        ("", "is empty"),
    ],
)
def test_prod_refuses_a_local_relying_party_id(rp_id, why):
    with pytest.raises(ValueError, match=f"TELEHALL_WEBAUTHN_RP_ID {why}"):
        _prod(rp_id, "https://hall.example.com")


@pytest.mark.parametrize(
    ("origins", "complaint"),
    [
        ("http://hall.example.com", "not https"),
        ("https://hall.example.com,http://m.hall.example.com", "not https"),
        ("https://localhost:8443", "is localhost"),
        ("https://192.168.1.5", "is an IP address"),
        ("https://hall.example.net", "not on 'hall.example.com'"),
        ("https://evilhall.example.com", "not on 'hall.example.com'"),
        ("", "is empty"),
    ],
)
def test_prod_refuses_an_origin_that_is_not_https_on_the_rp(origins, complaint):
    with pytest.raises(ValueError, match=complaint):
        _prod(GOOD_RP, origins)


def test_the_defaults_are_fine_outside_prod_only():
    assert Settings(env=Env.DEV).webauthn_rp_id == "localhost"
    with pytest.raises(ValueError, match="local passkey relying party"):
        Settings(env=Env.PROD, **SECRETS)


def test_load_settings_stops_with_a_message_naming_both_variables(monkeypatch):
    monkeypatch.setenv("TELEHALL_ENV", "prod")
    monkeypatch.setenv("TELEHALL_PAYMENT_SECRET", SECRETS["payment_secret"])
    monkeypatch.setenv("TELEHALL_ID_NUMBER_SECRET", SECRETS["id_number_secret"])
    monkeypatch.setenv("TELEHALL_WEBAUTHN_RP_ID", "localhost")
    monkeypatch.setenv("TELEHALL_WEBAUTHN_ORIGINS", "http://localhost:8000")
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    message = str(stopped.value.code)
    assert message.startswith("Telehall will not start")
    assert "TELEHALL_WEBAUTHN_RP_ID is localhost" in message
    assert "'http://localhost:8000', which is not https" in message


def test_doctor_rules_warn_outside_prod_and_fail_in_it():
    urls = ("postgres://h/db", "redis://r")
    local = ("localhost", ["http://localhost:8000"])
    dev = [f for f in settings_findings("dev", {}, *urls, local) if f.check == "settings.webauthn"]
    assert dev and {f.severity for f in dev} == {Severity.WARNING}
    prod = [
        f for f in settings_findings("prod", {}, *urls, local) if f.check == "settings.webauthn"
    ]
    assert prod and {f.severity for f in prod} == {Severity.PROBLEM}
    good = settings_findings("prod", {}, *urls, (GOOD_RP, GOOD_ORIGINS.split(",")))
    assert not [f for f in good if f.check == "settings.webauthn"]
    assert relying_party_problems(GOOD_RP, GOOD_ORIGINS.split(",")) == []


def test_doctor_reports_a_local_relying_party_in_prod(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {
        "TELEHALL_ENV": "prod",
        "TELEHALL_DATA_DIR": str(tmp_path),
        "TELEHALL_PAYMENT_SECRET": SECRETS["payment_secret"],
        "TELEHALL_ID_NUMBER_SECRET": SECRETS["id_number_secret"],
        "TELEHALL_WEBAUTHN_RP_ID": "127.0.0.1",
        "TELEHALL_WEBAUTHN_ORIGINS": "https://hall.example.com",
    }
    done = subprocess.run(
        [sys.executable, "-m", "server", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "FAIL settings: Telehall will not start" in done.stdout
    assert "TELEHALL_WEBAUTHN_RP_ID is an IP address" in done.stdout
    assert "Traceback" not in done.stderr
