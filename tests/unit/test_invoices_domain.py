"""Invoice rules: the tax split (one rounding, always summing to the amount), numbers, checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing import BillItemKind
from domain.errors import DomainError
from domain.invoices import (
    TaxCategory,
    TaxRates,
    category_of,
    check_request,
    invoice_lines,
    invoice_number,
    red_letter,
    split_line,
)


def test_split_figures():
    assert split_line(10_900, 900) == (10_000, 900)
    assert split_line(10_600, 600) == (10_000, 600)
    assert split_line(1, 900) == (1, 0)
    assert split_line(-10_900, 900) == (-10_000, -900)


@given(st.integers(-10_000_000, 10_000_000), st.integers(0, 2_000))
def test_net_and_tax_sum_to_the_amount_and_the_tax_is_the_nearest_fen(amount, rate):
    net, tax = split_line(amount, rate)
    assert net + tax == amount
    exact_net = amount * 10_000 / (10_000 + rate)
    assert abs(net - exact_net) <= 0.5


items = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=8),
        st.sampled_from(list(TaxCategory)),
        st.integers(-50_000, 500_000),
    ),
    max_size=12,
)


@given(items)
def test_invoice_totals_sum_and_a_red_letter_cancels(lines_in):
    lines = invoice_lines(lines_in, TaxRates())
    assert sum(x.net_fen + x.tax_fen for x in lines) == sum(a for _, _, a in lines_in)
    for x in lines:
        assert x.rate_bp == (900 if x.category is TaxCategory.BASIC else 600)
    red = red_letter(lines)
    assert sum(x.amount_fen for x in lines + red) == 0
    assert sum(x.tax_fen for x in lines + red) == 0


def test_categories_numbers_and_request_checks():
    assert category_of(BillItemKind.MONTHLY_FEE) is TaxCategory.BASIC
    assert category_of(BillItemKind.VALUE_ADDED) is TaxCategory.VALUE_ADDED
    assert invoice_number(2026, 17) == "202600000017"
    ok = check_request(" 北京某某科技有限公司 ", "91110108mA01abcd2x", None)
    assert ok.title == "北京某某科技有限公司" and ok.tax_id == "91110108MA01ABCD2X"
    assert check_request("张三", "", "a@b.cn").tax_id is None
    for args, code in (
        (("", None, None), "INVALID_ARGUMENT"),
        (("张三", "123", None), "INVALID_TAX_ID"),
        (("张三", "91110108MA01ABCDO1", None), "INVALID_TAX_ID"),  # O is not in the alphabet
        (("张三", None, "not-an-email"), "INVALID_ARGUMENT"),
    ):
        with pytest.raises(DomainError) as refused:
            check_request(*args)
        assert refused.value.code == code
