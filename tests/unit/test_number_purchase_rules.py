"""The pure rules of buying a number: what is paid, and the courier's check of the receiver."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.numbers.identity import check_char, id_digest
from domain.numbers.purchase import (
    check_address,
    check_method,
    check_receiver,
    first_payment,
    last6_digest,
)
from domain.payments import PaymentMethod

SECRET = "unit-test-secret"
fen = st.integers(min_value=0, max_value=10_000_000)


@given(fen, fen, fen)
def test_the_first_payment_is_prestore_plus_a_plan_fee_reaching_the_minimum(
    prestore: int, minimum: int, fee: int
) -> None:
    if fee < minimum:
        with pytest.raises(DomainError) as refused:
            first_payment(prestore, minimum, fee)
        assert refused.value.problems[0].code == "PLAN_BELOW_MINIMUM"
        return
    pay = first_payment(prestore, minimum, fee)
    assert (pay.prestore_fen, pay.first_month_fen, pay.total_fen) == (prestore, fee, prestore + fee)


resident_ids = st.from_regex(
    r"11010519[5-9][0-9](0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
).map(lambda first17: first17 + check_char(first17))


@given(resident_ids, st.text(alphabet="0123456789X", min_size=6, max_size=6))
def test_only_the_buyers_last_6_hand_the_sim_over(id_number: str, typed: str) -> None:
    expected = last6_digest(id_number, SECRET)
    assert expected != id_digest(id_number, SECRET)  # never the whole ID's digest
    check_receiver(id_number[-6:].lower(), expected, SECRET)  # x or X alike
    if typed != id_number[-6:]:
        with pytest.raises(DomainError) as refused:
            check_receiver(typed, expected, SECRET)
        assert refused.value.problems[0].code == "DELIVERY_ID_MISMATCH"
    with pytest.raises(DomainError):
        check_receiver(id_number[-5:], expected, SECRET)  # 5 characters are not enough


def test_addresses_and_methods() -> None:
    assert check_address("  北京市  西城区金融大街29号 ") == "北京市 西城区金融大街29号"
    for bad in ("", "北京", "北" * 201):
        with pytest.raises(DomainError):
            check_address(bad)
    assert check_method(PaymentMethod.WECHAT) is PaymentMethod.WECHAT
    with pytest.raises(DomainError):
        check_method(PaymentMethod.CARD_PIN)
