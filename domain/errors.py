"""Business failures carry a stable code that clients switch on; the message is for people.

`ErrorCode` is the one registry of those codes: the SDL exports it as `enum ErrorCode` (each
value described by its meaning) and `UserError.code` is typed by it. `fail("CODE", …)` takes the
code as a string or a member; a code missing from the registry is a programming error
(ValueError), and `tests/unit/test_error_codes.py` finds it in the source before it ships."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Every code a userError (or a query's argument error) may carry, with what it means."""

    meaning: str

    def __new__(cls, value: str, meaning: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    # --- everywhere ---------------------------------------------------------------------------
    NOT_FOUND = (
        "NOT_FOUND",
        "The number, plan, campaign or other thing named does not exist.",
    )
    ALREADY_EXISTS = "ALREADY_EXISTS", "The thing to create exists already."
    INVALID_ARGUMENT = (
        "INVALID_ARGUMENT",
        "An argument is out of range or contradicts another.",
    )
    INVALID_CURSOR = "INVALID_CURSOR", "`after` is not a cursor of this list."
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY", "An idempotencyKey is 1 to 64 characters."
    IDEMPOTENCY_KEY_REUSED = (
        "IDEMPOTENCY_KEY_REUSED",
        "The idempotencyKey was already used by this caller for a different request.",
    )
    NOT_SUPPORTED = "NOT_SUPPORTED", "This deployment does not offer the operation."

    # --- GraphQL requests (GraphQL errors, `extensions.code`; refused before any work) ------
    QUERY_TOO_LARGE = (
        "QUERY_TOO_LARGE",
        "The GraphQL document has more lexer tokens than the server accepts (2,000 by default).",
    )
    QUERY_TOO_DEEP = (
        "QUERY_TOO_DEEP",
        "The query nests fields deeper than allowed (10 by default, fragments expanded).",
    )
    TOO_MANY_ALIASES = (
        "TOO_MANY_ALIASES",
        "The query uses more aliases than allowed (15 by default, fragments expanded).",
    )
    TOO_MANY_DIRECTIVES = (
        "TOO_MANY_DIRECTIVES",
        "The query uses more directives than allowed (50 by default, fragments expanded).",
    )
    TOO_MANY_MUTATIONS = (
        "TOO_MANY_MUTATIONS",
        "The request runs more root mutation fields than allowed (4 by default).",
    )
    BAD_REQUEST = (
        "BAD_REQUEST",
        "The HTTP request is malformed: not JSON, not UTF-8, or a parameter of the wrong type.",
    )
    UNSUPPORTED_MEDIA_TYPE = (
        "UNSUPPORTED_MEDIA_TYPE",
        "A POST body must be application/json in UTF-8.",
    )
    NOT_ACCEPTABLE = (
        "NOT_ACCEPTABLE",
        "The Accept header allows neither application/graphql-response+json nor JSON.",
    )
    METHOD_NOT_ALLOWED = (
        "METHOD_NOT_ALLOWED",
        "Mutations run only over POST, never GET.",
    )
    BATCH_TOO_LARGE = (
        "BATCH_TOO_LARGE",
        "A JSON array of operations holds 1 to 5 of them (a setting).",
    )
    QUERY_TOO_COSTLY = (
        "QUERY_TOO_COSTLY",
        "The query costs more than allowed (objects 1, lists times `first`, mutations 10).",
    )
    PERSISTED_QUERY_NOT_FOUND = (
        "PERSISTED_QUERY_NOT_FOUND",
        "The persisted query's hash is unknown: send the query with its hash (Apollo's APQ).",
    )

    # --- accounts and login ------------------------------------------------------------------
    INVALID_MSISDN = "INVALID_MSISDN", "A mobile number is 11 digits starting with 13 to 19."
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", "The number (or username) or the secret is wrong."
    CAPTCHA_INVALID = "CAPTCHA_INVALID", "The captcha answer is wrong, missing or already used."
    CAPTCHA_EXPIRED = "CAPTCHA_EXPIRED", "The captcha image has expired; get a new one."
    CAPTCHA_REQUIRED = (
        "CAPTCHA_REQUIRED",
        "Many wrong secrets came from the client's network: this attempt needs a captcha too.",
    )
    LOCKED = "LOCKED", "Too many wrong secrets: password login is locked for a while."
    ATTEMPT_IN_PROGRESS = (
        "ATTEMPT_IN_PROGRESS",
        "Another attempt for the same account is being verified: retry in a moment.",
    )
    CODE_INVALID = "CODE_INVALID", "The SMS code is wrong."
    CODE_EXPIRED = "CODE_EXPIRED", "No valid SMS code for this number; request a new one."
    RESEND_TOO_SOON = "RESEND_TOO_SOON", "An SMS code was sent moments ago; wait before resending."
    DAILY_LIMIT = "DAILY_LIMIT", "This number has had its SMS codes for today."
    INITIAL_PASSWORD_MUST_CHANGE = (
        "INITIAL_PASSWORD_MUST_CHANGE",
        "The number is still on its initial service password: change or reset it first.",
    )
    WEAK_PASSWORD = "WEAK_PASSWORD", "The new password is too short, too simple or unchanged."
    QR_EXPIRED = "QR_EXPIRED", "The QR login token has expired."
    QR_ALREADY_CONFIRMED = "QR_ALREADY_CONFIRMED", "The QR login token was already used."
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED", "The number has been closed."
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED", "The number is suspended for arrears: recharge first."
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND", "No session of yours has this id."
    INTEREST_INVALID = "INTEREST_INVALID", "An interest is listed twice or has no channel."
    QUIET_HOURS_INVALID = "QUIET_HOURS_INVALID", "Quiet hours are HH:MM, 00:00 to 23:59."
    PASSKEY_CHALLENGE_EXPIRED = (
        "PASSKEY_CHALLENGE_EXPIRED",
        "The passkey challenge is unknown, used or past its 2-minute life: begin again.",
    )
    PASSKEY_INVALID = (
        "PASSKEY_INVALID",
        "The passkey response did not verify (origin, relying party, signature).",
    )
    PASSKEY_SIGN_COUNT = (
        "PASSKEY_SIGN_COUNT",
        "The passkey's signature counter went back: a cloned credential.",
    )
    PASSKEY_ALREADY_REGISTERED = (
        "PASSKEY_ALREADY_REGISTERED",
        "This passkey is already registered.",
    )
    PASSKEY_NOT_FOUND = (
        "PASSKEY_NOT_FOUND",
        "No passkey of yours has this id.",
    )

    # --- catalog, combos and orders -------------------------------------------------------------
    UNKNOWN_PLAN = "UNKNOWN_PLAN", "There is no plan with this id."
    UNKNOWN_PACK = "UNKNOWN_PACK", "There is no pack or add-on with this id."
    PLAN_NOT_AVAILABLE = "PLAN_NOT_AVAILABLE", "The plan is not on sale (or is a combo)."
    PACK_NOT_AVAILABLE = "PACK_NOT_AVAILABLE", "The pack is not on sale this way."
    ALREADY_ON_PLAN = "ALREADY_ON_PLAN", "The subscriber is already on this plan."
    DEVICE_NOT_5G = "DEVICE_NOT_5G", "A 5G plan needs a 5G device on record."
    DATA_PACK_REQUIRED = "DATA_PACK_REQUIRED", "A combo needs exactly one data pack."
    DUPLICATE_PACK = "DUPLICATE_PACK", "The same pack appears twice in a combo."
    TOO_MANY_OF_KIND = "TOO_MANY_OF_KIND", "A combo takes at most one voice/SMS pack and few VAS."
    PRICE_CHANGED = "PRICE_CHANGED", "The price is no longer the one the customer was shown."
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE", "The balance does not cover the charge."

    # --- promotions --------------------------------------------------------------------------
    INVALID_CAMPAIGN = "INVALID_CAMPAIGN", "A festival or campaign field is missing or invalid."
    CAMPAIGN_NOT_EDITABLE = (
        "CAMPAIGN_NOT_EDITABLE",
        "Only DRAFT and SCHEDULED campaigns can be edited; pause or end a running one.",
    )
    INVALID_TRANSITION = "INVALID_TRANSITION", "The campaign's status does not allow this change."
    VERSION_CONFLICT = "VERSION_CONFLICT", "Someone changed the campaign since it was loaded."
    CAP_REACHED = "CAP_REACHED", "A campaign's cap was reached: its discount is gone."
    INVALID_INSTANT = "INVALID_INSTANT", "A preview instant is more than five years from now."

    # --- recharge and payments ---------------------------------------------------------------
    INVALID_AMOUNT = "INVALID_AMOUNT", "An amount in fen is outside its allowed range."
    INVALID_METHOD = "INVALID_METHOD", "This payment method cannot be used here."
    CARD_INVALID = "CARD_INVALID", "No prepaid card with this PIN (or a malformed PIN)."
    CARD_USED = "CARD_USED", "The prepaid card has already been used."
    CARD_EXPIRED = "CARD_EXPIRED", "The prepaid card has expired."
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH", "The prepaid card is worth another amount."
    RATE_LIMITED = "RATE_LIMITED", "Too many attempts; try again later."

    # --- usage and bills ---------------------------------------------------------------------
    INVALID_EVENT = "INVALID_EVENT", "A usage event field is missing or malformed."
    TOO_MANY_EVENTS = "TOO_MANY_EVENTS", "Too many usage events in one call."
    DUPLICATE_EVENT_ID = "DUPLICATE_EVENT_ID", "The same eventId appears twice in one call."
    EVENT_ID_REUSED = "EVENT_ID_REUSED", "The eventId was already rated with different content."
    EVENT_IN_FUTURE = "EVENT_IN_FUTURE", "The usage event happens after now."
    EVENT_TOO_OLD = "EVENT_TOO_OLD", "Only the current and previous 5 months are rated."
    CYCLE_CLOSED = "CYCLE_CLOSED", "The cycle's bill is issued; late usage is not rated into it."
    INVALID_CYCLE = "INVALID_CYCLE", "A billing cycle looks like 2026-10."
    CYCLE_NOT_ENDED = "CYCLE_NOT_ENDED", "The billing cycle has not ended yet."

    # --- flash sales and devices ---------------------------------------------------------------
    INVALID_FLASH_SALE = "INVALID_FLASH_SALE", "A flash sale's settings are invalid."
    FLASH_SALE_NOT_EDITABLE = (
        "FLASH_SALE_NOT_EDITABLE",
        "The flash sale started or ended: no edits.",
    )
    UNKNOWN_ITEM = "UNKNOWN_ITEM", "The flash sale's item, or the device bought, does not exist."
    SOLD_OUT = "SOLD_OUT", "Every unit of the flash sale is taken."
    LIMIT_REACHED = "LIMIT_REACHED", "The per-subscriber limit is reached."
    NOT_STARTED = "NOT_STARTED", "The flash sale has not started yet."
    ENDED = "ENDED", "The flash sale has ended."
    BOOKING_REQUIRED = (
        "BOOKING_REQUIRED",
        "Only subscribers who booked may buy in the first minutes.",
    )
    BOOKING_NOT_OFFERED = "BOOKING_NOT_OFFERED", "This flash sale takes no bookings."
    BOOKING_NOT_OPEN = "BOOKING_NOT_OPEN", "Booking for this flash sale has not opened yet."
    BOOKING_CLOSED = "BOOKING_CLOSED", "Booking for this flash sale is closed."
    INVALID_QUANTITY = "INVALID_QUANTITY", "The quantity is not a positive whole number in range."
    SHIPPING_ADDRESS_REQUIRED = "SHIPPING_ADDRESS_REQUIRED", "A device needs a shipping address."
    NOT_ELIGIBLE = "NOT_ELIGIBLE", "The subscriber may not buy this (status, device, audience)."
    RESERVATION_EXPIRED = "RESERVATION_EXPIRED", "The unpaid reservation went back to stock."
    TRY_AGAIN = "TRY_AGAIN", "The stock is being rebuilt after a Redis restart: retry shortly."

    # --- numbers and real name -----------------------------------------------------------------
    INVALID_FILTER = "INVALID_FILTER", "A number-search filter is malformed (the field is named)."
    NUMBER_NOT_FOUND = "NUMBER_NOT_FOUND", "The number is not in the pool."
    NUMBER_UNAVAILABLE = (
        "NUMBER_UNAVAILABLE",
        "The number is held by someone else, sold, or from a province the hall does not serve.",
    )
    NUMBER_HOLD_LIMIT = "NUMBER_HOLD_LIMIT", "The caller already holds 3 numbers."
    CLIENT_TOKEN_REQUIRED = "CLIENT_TOKEN_REQUIRED", "An anonymous hold needs a valid clientToken."
    RESERVATION_NOT_FOUND = "RESERVATION_NOT_FOUND", "No such hold of the caller's (or it ended)."
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER", "The resident ID number fails GB 11643 checks."
    TOO_YOUNG = "TOO_YOUNG", "The ID holder is under 16."
    ID_LIMIT_REACHED = "ID_LIMIT_REACHED", "This ID already has 5 numbers nationwide."
    INVALID_NAME = "INVALID_NAME", "The real name is empty, too long or has digits."
    REAL_NAME_ALREADY_VERIFIED = (
        "REAL_NAME_ALREADY_VERIFIED",
        "The number is already real-name verified.",
    )
    NOT_VERIFIED = (
        "NOT_VERIFIED",
        "The number is not real-name verified: it may not buy numbers, devices or flash sales, "
        "nor open international roaming (realNameRegister first).",
    )
    NOT_ACTIVATED = "NOT_ACTIVATED", "The number bought online is active once its SIM is delivered."
    PLAN_BELOW_MINIMUM = (
        "PLAN_BELOW_MINIMUM",
        "The plan's monthly fee is below the number's minimum monthly spend.",
    )
    INVALID_ADDRESS = "INVALID_ADDRESS", "The shipping address is empty or too long."
    NOT_AWAITING_DELIVERY = (
        "NOT_AWAITING_DELIVERY",
        "The order is not a paid number purchase waiting for its SIM delivery.",
    )
    DELIVERY_ID_MISMATCH = (
        "DELIVERY_ID_MISMATCH",
        "The receiver's ID number does not end as the buyer's: the SIM is not handed over.",
    )

    # --- account business (call settings, international services, WLAN) ------------------------
    FORWARD_TO_OWN_NUMBER = (
        "FORWARD_TO_OWN_NUMBER",
        "Calls cannot be forwarded to the subscriber's own number.",
    )
    ROAMING_NOT_OPEN = "ROAMING_NOT_OPEN", "A roaming pack needs international roaming open."
    CREDIT_LIMIT_EXCEEDS_QUOTE = (
        "CREDIT_LIMIT_EXCEEDS_QUOTE",
        "The credit limit asked for is above what creditLimitQuote offers.",
    )
    CREDIT_LIMIT_BELOW_ARREARS = (
        "CREDIT_LIMIT_BELOW_ARREARS",
        "The credit limit asked for is below the current arrears.",
    )
    INVALID_TAX_ID = "INVALID_TAX_ID", "A taxpayer id is a unified social credit code (18)."
    SHARED_MEMBER_NOT_ELIGIBLE = (
        "SHARED_MEMBER_NOT_ELIGIBLE",
        "A shared-plan member must be an active number (not closed or suspended).",
    )
    SHARED_MEMBER_IN_GROUP = "SHARED_MEMBER_IN_GROUP", "The number already shares another plan."
    SHARED_GROUP_FULL = "SHARED_GROUP_FULL", "A shared plan has at most 4 secondary numbers."
    INVOICE_NOT_REVERSIBLE = (
        "INVOICE_NOT_REVERSIBLE",
        "Only an issued invoice of a refunded recharge may be reversed, once.",
    )

    # --- points, mall and growth ---------------------------------------------------------------
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS", "The points balance does not cover this."
    OUT_OF_STOCK = "OUT_OF_STOCK", "The mall item or device has no stock left."
    NOT_AVAILABLE = "NOT_AVAILABLE", "The mall item is archived or outside its sale dates."
    ADDRESS_REQUIRED = "ADDRESS_REQUIRED", "Goods need a shipping address."
    NOT_CANCELLABLE = (
        "NOT_CANCELLABLE",
        "The redemption is fulfilled already: it cannot be cancelled.",
    )
    INVALID_ITEM = "INVALID_ITEM", "A mall item's settings are invalid (the field is named)."
    INVALID_CODES = "INVALID_CODES", "The uploaded coupon or membership codes are malformed."
    TRACKING_REQUIRED = "TRACKING_REQUIRED", "Shipping needs the carrier's tracking number."
    INVALID_ADJUSTMENT = "INVALID_ADJUSTMENT", "A points adjustment is out of range."
    REASON_REQUIRED = "REASON_REQUIRED", "An operator adjustment needs a reason."
    STAGE_NOT_REACHED = "STAGE_NOT_REACHED", "The growth stage is not reached yet."
    ALREADY_CLAIMED = "ALREADY_CLAIMED", "This growth reward was already claimed."

    # --- customer service ----------------------------------------------------------------------
    INVALID_ARTICLE = (
        "INVALID_ARTICLE",
        "A knowledge-base article's fields are invalid (the field is named).",
    )
    MESSAGE_EMPTY = "MESSAGE_EMPTY", "A chat message has no text."
    MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG", "A chat message is longer than 2,000 characters."
    CONVERSATION_CLOSED = (
        "CONVERSATION_CLOSED",
        "The conversation is closed: no more messages, transfers or accepts.",
    )
    CONVERSATION_NOT_QUEUED = (
        "CONVERSATION_NOT_QUEUED",
        "The conversation is not waiting in the agents' queue.",
    )
    NOT_YOUR_CONVERSATION = "NOT_YOUR_CONVERSATION", "The conversation is handled by another agent."
    NOT_CLOSED = "NOT_CLOSED", "A conversation is rated only after it closes."
    ALREADY_RATED = "ALREADY_RATED", "This conversation was rated already."
    INVALID_RATING = (
        "INVALID_RATING",
        "A rating is 1 to 5 stars with known tags and a short comment.",
    )
    INVALID_TICKET = "INVALID_TICKET", "A ticket's category or description is invalid."
    INVALID_TICKET_STATUS = (
        "INVALID_TICKET_STATUS",
        "The ticket's status does not allow this change.",
    )
    TOO_MANY_ATTACHMENTS = "TOO_MANY_ATTACHMENTS", "A ticket takes at most 3 screenshots."
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE", "A screenshot is larger than 5 MB."
    ATTACHMENT_NOT_IMAGE = (
        "ATTACHMENT_NOT_IMAGE",
        "A screenshot is not a PNG or JPEG image (checked by its content).",
    )


def error_code(code: ErrorCode | str) -> ErrorCode:
    """The registered code; an unregistered one is a bug, not a business failure."""
    try:
        return ErrorCode(code)
    except ValueError:
        raise ValueError(f"{code!r} is not in domain.errors.ErrorCode: register it") from None


@dataclass(frozen=True)
class Problem:
    code: ErrorCode  # a registered code; its string form is accepted
    message: str
    field: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", error_code(self.code))


class DomainError(Exception):
    """One or more business rule violations; the schema layer turns them into userErrors."""

    def __init__(self, *problems: Problem) -> None:
        if not problems:
            raise ValueError("DomainError needs at least one problem")
        self.problems: tuple[Problem, ...] = problems
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in problems))

    @classmethod
    def of(cls, code: ErrorCode | str, message: str, field: str | None = None) -> DomainError:
        return cls(Problem(code, message, field))

    @property
    def code(self) -> ErrorCode:
        return self.problems[0].code


def fail(code: ErrorCode | str, message: str, field: str | None = None) -> DomainError:
    return DomainError.of(code, message, field)
