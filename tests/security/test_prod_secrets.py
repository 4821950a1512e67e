"""Finding 1: a prod server on the published dev payment secret let anybody forge a callback and
credit money nobody paid. In prod every secret must be set, long and not a known default, or the
server refuses to start with a message that names the variable."""

import os
import subprocess
import sys

import pytest

from server.settings import KNOWN_DEFAULT_SECRETS, SECRET_FIELDS, Env, Settings, load_settings

GOOD = {"payment_secret": "p" * 24 + "Q7-xz1" * 4, "id_number_secret": "i" * 24 + "K3_ab9" * 4}
RELYING_PARTY = {
    "webauthn_rp_id": "hall.example.com",
    "webauthn_origins": "https://hall.example.com",
}


def _prod(**values: str) -> Settings:
    return Settings(env=Env.PROD, **(RELYING_PARTY | values))


def test_prod_starts_with_every_secret_set():
    settings = _prod(**GOOD)
    assert settings.payment_secret == GOOD["payment_secret"]


@pytest.mark.parametrize("missing", sorted(SECRET_FIELDS))
def test_prod_refuses_an_unset_secret(missing):
    values = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ValueError, match=f"TELEHALL_{missing.upper()}.*not set"):
        _prod(**values)


@pytest.mark.parametrize("field", sorted(SECRET_FIELDS))
@pytest.mark.parametrize("default", sorted(KNOWN_DEFAULT_SECRETS))
def test_prod_refuses_a_known_default(field, default):
    with pytest.raises(ValueError, match="published default"):
        _prod(**(GOOD | {field: default}))


def test_prod_refuses_short_and_shared_secrets():
    with pytest.raises(ValueError, match="shorter than"):
        _prod(**(GOOD | {"payment_secret": "x" * 10}))
    with pytest.raises(ValueError, match="same value"):
        _prod(**(GOOD | {"id_number_secret": GOOD["payment_secret"]}))


def test_dev_and_test_keep_their_defaults():
    assert Settings(env=Env.DEV).payment_secret == "dev-payment-secret-change-me"


def test_load_settings_stops_with_a_clear_message(monkeypatch):
    for name in SECRET_FIELDS:
        monkeypatch.delenv(f"TELEHALL_{name.upper()}", raising=False)
    monkeypatch.setenv("TELEHALL_ENV", "prod")
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    assert "TELEHALL_PAYMENT_SECRET" in str(stopped.value.code)


def test_serve_in_prod_without_secrets_exits_before_listening(tmp_path):
    """The attack's first step: `TELEHALL_ENV=prod telehall serve` with the secret unset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHALL_")}
    env |= {"TELEHALL_ENV": "prod", "TELEHALL_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "server", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TELEHALL_PAYMENT_SECRET" in done.stderr + done.stdout
    assert "TELEHALL_ID_NUMBER_SECRET" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_prod_refuses_a_default_previous_payment_secret():
    with pytest.raises(ValueError, match="PREVIOUS"):
        _prod(**GOOD, payment_secret_previous="dev-payment-secret-change-me")


async def test_rotation_accepts_the_previous_secret_only_while_it_is_set(api, services, settings):
    """Rotating TELEHALL_PAYMENT_SECRET: callbacks the provider signed with the old secret are
    accepted while TELEHALL_PAYMENT_SECRET_PREVIOUS names it, and refused once it is removed."""
    import dataclasses

    from domain.payments import CallbackOutcome
    from resolvers.payments import receive_callback

    old = services.payments.callback("0" * 32, 100, CallbackOutcome.SUCCESS, secret="o" * 40)
    rotating = dataclasses.replace(
        services,
        settings=settings.model_copy(update={"payment_secret_previous": "o" * 40}),
    )
    status, answer = await receive_callback(rotating, *old)
    assert (status, answer["error"]) == (404, "UNKNOWN_PAYMENT")  # signature accepted
    fresh = services.payments.callback("0" * 32, 100, CallbackOutcome.SUCCESS, secret="o" * 40)
    status, answer = await receive_callback(services, *fresh)
    assert (status, answer["error"]) == (401, "BAD_SIGNATURE")
