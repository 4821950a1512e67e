"""A conversation's life: the bot answers, a hand-off queues it, an agent accepts, transfers and
closes it, the customer rates it once. Decisions only: the resolvers store what these return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import fail

MESSAGE_MAX = 2_000
HANDOFF_WORDS = ("转人工", "人工客服", "人工服务", "找人工", "真人")
UNHELPFUL_LIMIT = 2
RATING_TAGS = frozenset(
    {"FAST", "SOLVED", "FRIENDLY", "PROFESSIONAL", "SLOW", "NOT_SOLVED", "UNFRIENDLY", "UNCLEAR"}
)
COMMENT_MAX = 500


class ConversationStatus(StrEnum):
    BOT = "BOT"  # the bot answers
    QUEUED = "QUEUED"  # waiting for an agent
    AGENT = "AGENT"  # an agent has it
    CLOSED = "CLOSED"


class Sender(StrEnum):
    CUSTOMER = "CUSTOMER"
    BOT = "BOT"
    AGENT = "AGENT"
    SYSTEM = "SYSTEM"


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise fail("MESSAGE_EMPTY", "A message needs some text.", "text")
    if len(text) > MESSAGE_MAX:
        raise fail("MESSAGE_TOO_LONG", f"A message is at most {MESSAGE_MAX} characters.", "text")
    return text


def check_open(status: ConversationStatus) -> None:
    if status is ConversationStatus.CLOSED:
        raise fail("CONVERSATION_CLOSED", "This conversation is closed: start a new one.")


def wants_human(text: str) -> bool:
    return any(word in text for word in HANDOFF_WORDS)


def hand_off_after(unhelpful: int) -> bool:
    """Two answers in a row the bot could not back with an article hand over to a human."""
    return unhelpful >= UNHELPFUL_LIMIT


def estimated_wait(position: int, agents_online: int, handle_time: timedelta) -> timedelta:
    """Position 1 is next. Each agent works one conversation at a time."""
    agents = max(agents_online, 1)
    return handle_time * ((position + agents - 1) // agents)


@dataclass(frozen=True)
class Rating:
    stars: int
    tags: tuple[str, ...]
    comment: str


def check_rating(
    status: ConversationStatus, rated_at: datetime | None, stars: int, tags: list[str], comment: str
) -> Rating:
    if status is not ConversationStatus.CLOSED:
        raise fail("NOT_CLOSED", "A conversation is rated after it closes.")
    if rated_at is not None:
        raise fail("ALREADY_RATED", "This conversation was rated already.")
    if not 1 <= stars <= 5:
        raise fail("INVALID_RATING", "A rating is 1 to 5 stars.", "stars")
    unknown = [t for t in tags if t not in RATING_TAGS]
    if unknown or len(set(tags)) != len(tags):
        raise fail("INVALID_RATING", f"Tags are distinct, from {sorted(RATING_TAGS)}.", "tags")
    if len(comment) > COMMENT_MAX:
        raise fail("INVALID_RATING", f"A comment is at most {COMMENT_MAX} characters.", "comment")
    return Rating(stars, tuple(tags), comment.strip())


def check_acceptable(status: ConversationStatus) -> None:
    check_open(status)
    if status is not ConversationStatus.QUEUED:
        raise fail("CONVERSATION_NOT_QUEUED", "This conversation is not waiting for an agent.")


def check_handler(status: ConversationStatus, agent: str | None, caller: str) -> None:
    """Only the agent who holds a conversation writes in it, transfers or closes it."""
    check_open(status)
    if status is not ConversationStatus.AGENT or agent != caller:
        raise fail(
            "NOT_YOUR_CONVERSATION", "Another agent (or nobody yet) holds this conversation."
        )
