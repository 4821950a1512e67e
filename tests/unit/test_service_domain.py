"""Customer-service rules without I/O: BM25 ranking, Chinese terms, the ticket status machine,
the hand-off, the queue's wait, ratings and screenshot sniffing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.service.attachments import check_count, check_upload, sniff
from domain.service.conversations import (
    ConversationStatus,
    check_rating,
    check_text,
    estimated_wait,
    hand_off_after,
    wants_human,
)
from domain.service.intents import Intent, intents, yuan
from domain.service.ranking import Posting, bm25
from domain.service.text import query_terms, terms
from domain.service.tickets import NEXT, TicketCategory, TicketStatus, check_transition, promised_by


def test_bm25_prefers_both_terms_then_the_rarer_term_then_the_shorter_document():
    postings = [
        Posting("a", "漫游", 1, 10), Posting("b", "漫游", 1, 10), Posting("c", "漫游", 1, 10),
        Posting("b", "日韩", 1, 10), Posting("d", "日韩", 1, 10), Posting("e", "漫游", 1, 40),
    ]  # fmt: skip
    ranked = [a for a, _ in bm25(["漫游", "日韩"], postings, n_docs=10, avg_len=20)]
    assert ranked[:2] == ["b", "d"]  # both terms; then the rarer term
    assert ranked.index("a") < ranked.index("e")  # same term, shorter document
    assert bm25(["x"], [], 10, 20) == []


@given(st.lists(st.sampled_from(["话费", "流量", "积分", "漫游"]), min_size=1, max_size=6))
def test_bm25_scores_are_positive_and_sorted(query):
    postings = [
        Posting(str(i), t, 1 + i % 3, 5 + i) for i, t in enumerate(["话费", "流量", "积分"] * 3)
    ]
    ranked = bm25(query, postings, n_docs=20, avg_len=8)
    assert all(s > 0 for _, s in ranked)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_terms_keep_the_halls_words_and_drop_stop_words():
    assert "出账期" in terms("出账期是什么意思")
    assert "什么" not in terms("出账期是什么意思")
    assert "未到账" in query_terms("充值怎么还没到账")


def test_every_ticket_status_path_ends_in_closed_or_rejected_and_others_are_refused():
    for current, allowed in NEXT.items():
        for target in TicketStatus:
            if target in allowed:
                check_transition(current, target)
            else:
                with pytest.raises(DomainError) as refused:
                    check_transition(current, target)
                assert refused.value.code == "INVALID_TICKET_STATUS"
    assert NEXT[TicketStatus.CLOSED] == NEXT[TicketStatus.REJECTED] == frozenset()


@given(st.lists(st.sampled_from(list(TicketStatus)), max_size=12))
def test_a_walk_of_the_status_machine_never_leaves_a_final_state(walk):
    status = TicketStatus.SUBMITTED
    for target in walk:
        try:
            check_transition(status, target)
        except DomainError:
            continue
        assert status not in (TicketStatus.CLOSED, TicketStatus.REJECTED)
        status = target


def test_promised_time_depends_on_the_category():
    at = datetime(2026, 5, 1, tzinfo=UTC)
    assert promised_by(TicketCategory.NETWORK, at) == at + timedelta(hours=72)
    assert promised_by(TicketCategory.BILLING, at) == at + timedelta(hours=48)


def test_hand_off_messages_and_waits():
    assert wants_human("请帮我转人工") and not wants_human("查话费")
    assert not hand_off_after(1) and hand_off_after(2)
    assert estimated_wait(1, 0, timedelta(minutes=6)) == timedelta(minutes=6)
    assert estimated_wait(3, 2, timedelta(minutes=6)) == timedelta(minutes=12)
    for text, code in (("  ", "MESSAGE_EMPTY"), ("字" * 5000, "MESSAGE_TOO_LONG")):
        with pytest.raises(DomainError) as refused:
            check_text(text)
        assert refused.value.code == code


def test_a_rating_is_once_after_close_with_known_tags():
    closed, now = ConversationStatus.CLOSED, datetime(2026, 5, 1, tzinfo=UTC)
    assert check_rating(closed, None, 4, ["FAST"], " 好 ").comment == "好"
    for args, code in (
        ((ConversationStatus.AGENT, None, 4, [], ""), "NOT_CLOSED"),
        ((closed, now, 4, [], ""), "ALREADY_RATED"),
        ((closed, None, 6, [], ""), "INVALID_RATING"),
        ((closed, None, 3, ["BOGUS"], ""), "INVALID_RATING"),
    ):
        with pytest.raises(DomainError) as refused:
            check_rating(*args)
        assert refused.value.code == code


def test_screenshots_are_sniffed_by_content():
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "PNG" and sniff(b"\xff\xd8\xff\xe0") == "JPEG"
    assert sniff(b"MZ\x90\x00") is None
    with pytest.raises(DomainError):
        check_upload(0, 10, b"MZ\x90\x00")
    with pytest.raises(DomainError):
        check_upload(0, 6 * 1024 * 1024, b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DomainError):
        check_count(4)


def test_intents_and_yuan():
    assert Intent.BALANCE in intents("我的话费还剩多少", False)
    assert Intent.ROAMING_RATES in intents("日本流量多少钱", True)
    assert Intent.DATA_LEFT not in intents("日本流量多少钱", True)
    assert yuan(12345) == "123.45" and yuan(-5) == "-0.05"
