"""The promotions engine: `evaluate(cart, profile, channel, at, campaigns, usage)` -> `Quote`.

Pure and deterministic: the same input gives the same quote, and the order of cart lines or of
campaigns changes nothing. The rules, each pinned by a test:

Which campaigns. A campaign is considered when its targets match at least one cart line; others
are not mentioned. It applies to every cart line it targets, or to none.

Order. Campaigns are tried by priority (highest first), ties by campaign id. Cart lines are worked
in a canonical order (offering id, kind, name, price) so that rounding and largest-remainder ties
never depend on how the client listed them.

Why not. Each considered campaign that does not apply is listed with the first reason that fails,
in this order: PAUSED; OUTSIDE_WINDOW (draft, not started, ended at `at`, or its RECURRING /
FREE_TRIAL term already over at `effective_from`); CHANNEL; AUDIENCE; CAP_REACHED;
NOT_COMBINABLE (see `stacking`); BELOW_FLOOR.

Amounts. Integer fen; the one rounding rule is half-up per line (`money.percent_of`). Each
discount applies to what the earlier ones left, never below 0.
    PERCENT_OFF   percent_of(remaining, bp) on each line.
    AMOUNT_OFF    one amount for the matched lines together, capped at what they have left, split
                  by largest remainder (`money.allocate`) weighted by each line's room, so the
                  parts sum exactly and no line goes below 0 or the floor.
    FIXED_PRICE   each line drops to the fixed price if that is lower.
    RECURRING     percent (per line) or amount (split as AMOUNT_OFF) off every month of its term.
    FREE_TRIAL    the line costs nothing for every month of its term.
    GIFT          one `Gift` per matched line; no price change.
    POINTS_MULTIPLIER  each line earns points at the highest multiplier applied to it (they are
                  never multiplied together); lines are summed per multiplier, then floored to
                  whole yuan by `points.earning.points_for`.
Terms and months are explained in `schedule`. Line prices and adjustments are month 0, the
price this order pays.

Floor. `floor_fen` protects a price from its own campaign: the campaign's discount on a line is
clamped so that line ends at the floor, never below. (Clamping rather than rejecting keeps the
promise that a bigger benefit never gives a higher price.) A campaign is rejected BELOW_FLOOR
only when none of its lines has anything above its floor in any month of its term: it would
give nothing. (A recurring discount on a line an earlier campaign made free this month still
gives its later months.)

Caps. `usage` (from the cap store) says what each campaign has given out. An order takes one unit
per line a campaign applies to, and budget equal to the campaign's discount over its whole term.
A campaign whose units, per-subscriber units or remaining budget cannot cover this order is
rejected CAP_REACHED; it never gives a partial discount, so the customer sees either the
advertised benefit or the reason, and concurrent orders cannot split the last fen differently.
Anonymous callers have no per-subscriber usage; the cap is enforced when the order reserves.
The rule is `caps.within_caps`, the one the reservation (RESERVE in Redis) applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from operator import itemgetter

from domain.money import BP_WHOLE, allocate, percent_of
from domain.points.earning import points_for
from domain.pricing import (
    SCHEDULE_MONTHS,
    Adjustment,
    AppliedCampaign,
    Cart,
    CartLine,
    Channel,
    Gift,
    LineQuote,
    OfferingKind,
    Quote,
    Rejection,
    SubscriberProfile,
)
from domain.promotions.caps import NO_USAGE, CampaignUsage, within_caps
from domain.promotions.model import (
    PACK_KINDS,
    Audience,
    BenefitKind,
    Campaign,
    RejectionReason,
    Targets,
)
from domain.promotions.schedule import (
    last_month_before,
    micros,
    month_index,
    monthly_schedule,
    months_until,
)
from domain.promotions.stacking import accepts_earlier, accepts_later, application_key

_R = RejectionReason
_ONE_TIME = (BenefitKind.PERCENT_OFF, BenefitKind.AMOUNT_OFF, BenefitKind.FIXED_PRICE)
_OPEN_AUDIENCE = Audience()
_FAMILY = {OfferingKind.PLAN: "plan", OfferingKind.MALL_ITEM: "mall"} | dict.fromkeys(
    PACK_KINDS, "pack"
)


def _line_keys(line: CartLine) -> tuple[object, ...]:
    family = _FAMILY.get(line.kind)
    return (line.kind,) if family is None else (line.kind, (family, line.offering_id))


def _target_keys(targets: Targets) -> set[object]:
    keys: set[object] = set(targets.kinds)
    keys.update(("plan", i) for i in targets.plan_ids)
    keys.update(("pack", i) for i in targets.pack_ids)
    keys.update(("mall", i) for i in targets.mall_item_ids)
    return keys


def _line_order(line: CartLine) -> tuple[str, str, str, int, bool]:
    return (line.offering_id, line.kind, line.name, line.list_price_fen, line.recurring)


class _Rule:
    """A campaign compiled for evaluation: instants as integers, sets ready, rejections reused."""

    __slots__ = (
        "accepts_earlier",
        "accepts_later",
        "amount",
        "audience",
        "bp",
        "campaign",
        "capped",
        "caps",
        "changes_price",
        "channels",
        "end_us",
        "fixed",
        "fixed_term",
        "floor",
        "gift",
        "id",
        "kind",
        "multiplier",
        "name",
        "off_window",
        "paused",
        "rank",
        "rejections",
        "start_us",
        "until_last_month",
        "until_us",
    )

    def __init__(self, campaign: Campaign, rank: int) -> None:
        b = campaign.benefit
        self.campaign = campaign
        self.rank = rank
        self.id = campaign.id
        self.name = campaign.name
        self.paused = campaign.paused
        self.off_window = campaign.draft
        self.start_us = micros(campaign.starts_at)
        self.end_us = micros(campaign.ends_at)
        self.channels = frozenset(campaign.channels)
        self.audience = None if campaign.audience == _OPEN_AUDIENCE else campaign.audience
        self.accepts_earlier = accepts_earlier(campaign.stacking)
        self.accepts_later = accepts_later(campaign.stacking)
        self.floor = campaign.floor_fen or 0
        self.caps = campaign.caps
        self.capped = campaign.caps.any
        self.kind = b.kind
        self.changes_price = b.changes_price
        self.bp = b.percent_bp
        self.amount = b.amount_fen
        self.fixed = b.fixed_price_fen
        self.multiplier = b.multiplier_bp
        self.gift = Gift(campaign.id, campaign.name, b.gift_item) if b.gift_item else None
        if b.until is not None:
            self.fixed_term = None
            self.until_us = micros(b.until)
            self.until_last_month = last_month_before(b.until)
        else:
            self.fixed_term = b.months or (1 if b.kind in _ONE_TIME else 0)
            self.until_us = self.until_last_month = 0
        self.rejections: dict[RejectionReason, Rejection] = {}

    def term(self, effective_us: int, effective_month: int) -> int:
        if self.fixed_term is not None:
            return self.fixed_term
        return months_until(self.until_last_month, self.until_us, effective_us, effective_month)

    def rejection(self, reason: RejectionReason) -> Rejection:
        found = self.rejections.get(reason)
        if found is None:
            found = self.rejections[reason] = Rejection(self.id, self.name, reason)
        return found


class CampaignIndex:
    """Campaigns compiled and indexed by what they target; build once, evaluate many times."""

    __slots__ = ("_by_key", "_rules")

    def __init__(self, campaigns: Iterable[Campaign]) -> None:
        ordered = sorted(campaigns, key=application_key)
        ids = [c.id for c in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("campaign ids must be unique")
        self._rules = tuple(_Rule(c, rank) for rank, c in enumerate(ordered))
        by_key: dict[object, list[_Rule]] = {}
        for rule in self._rules:
            for key in _target_keys(rule.campaign.targets):
                by_key.setdefault(key, []).append(rule)
        self._by_key = {key: tuple(rules) for key, rules in by_key.items()}

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def campaigns(self) -> tuple[Campaign, ...]:
        """In application order."""
        return tuple(rule.campaign for rule in self._rules)

    def matching(self, lines: list[CartLine]) -> list[tuple[_Rule, list[int]]]:
        """Campaigns targeting any of `lines`, in application order, with the lines they match."""
        hits: dict[_Rule, list[int]] = {}
        by_key = self._by_key
        for position, line in enumerate(lines):
            for key in _line_keys(line):
                for rule in by_key.get(key, ()):
                    positions = hits.get(rule)
                    if positions is None:
                        hits[rule] = [position]
                    elif positions[-1] != position:
                        positions.append(position)
        return sorted(hits.items(), key=lambda hit: hit[0].rank)


def evaluate(
    cart: Cart,
    profile: SubscriberProfile,
    channel: Channel,
    at: datetime,
    campaigns: CampaignIndex | Iterable[Campaign],
    usage: Mapping[str, CampaignUsage] | None = None,
    effective_from: datetime | None = None,
) -> Quote:
    """Price `cart` for `profile` on `channel` at instant `at`.

    `effective_from` is when the priced offerings start (plan changes: the 1st of next month);
    it defaults to `at` and anchors the month-by-month schedule.
    """
    index = campaigns if isinstance(campaigns, CampaignIndex) else CampaignIndex(campaigns)
    usage = usage or {}
    effective_from = at if effective_from is None else effective_from
    at_us = micros(at)
    effective_us = micros(effective_from)
    first_month = month_index(effective_from)

    given = cart.lines
    order = sorted(range(len(given)), key=lambda i: _line_order(given[i]))
    lines = [given[i] for i in order]

    rejected: list[tuple[int, Rejection]] = []
    eligible: list[tuple[_Rule, list[int], int]] = []
    horizon = SCHEDULE_MONTHS
    for rule, positions in index.matching(lines):
        term = rule.term(effective_us, first_month)
        reason = _screen(rule, profile, channel, at_us, term)
        if reason is not None:
            rejected.append((rule.rank, rule.rejection(reason)))
            continue
        eligible.append((rule, positions, term))
        horizon = max(horizon, term)

    remaining = [[line.list_price_fen] * (horizon if line.recurring else 1) for line in lines]
    adjustments: list[list[Adjustment]] = [[] for _ in lines]
    applied_on: list[list[_Rule]] = [[] for _ in lines]
    multipliers = [BP_WHOLE] * len(lines)
    gifts: list[Gift] = []
    applied: list[AppliedCampaign] = []
    capped: list[str] = []

    for rule, positions, term in eligible:
        used = usage.get(rule.id) or NO_USAGE
        units = len(positions)
        # Before its discount is known, a campaign needs its units and at least 1 fen of budget.
        reason = (
            _R.CAP_REACHED if rule.capped and not within_caps(rule.caps, used, units, 1) else None
        )
        discounts = None
        if reason is None and rule.caps.budget_fen is not None and rule.changes_price:
            discounts = _discounts(rule, positions, term, remaining)
            if discounts is not None and not within_caps(rule.caps, used, units, _total(discounts)):
                reason = _R.CAP_REACHED
        if reason is None and not _combinable(rule, positions, applied_on):
            reason = _R.NOT_COMBINABLE
        if reason is None and rule.changes_price:
            if discounts is None:
                discounts = _discounts(rule, positions, term, remaining)
            if discounts is None:
                reason = _R.BELOW_FLOOR
        if reason is not None:
            rejected.append((rule.rank, rule.rejection(reason)))
            continue

        spend = 0
        for j, p in enumerate(positions):
            applied_on[p].append(rule)
            if discounts is not None:
                row = remaining[p]
                line_discounts = discounts[j]
                for month, amount in enumerate(line_discounts):
                    row[month] -= amount
                    spend += amount
                if line_discounts and line_discounts[0]:
                    adjustments[p].append(Adjustment(rule.id, rule.name, line_discounts[0]))
            elif rule.gift is not None:
                gifts.append(rule.gift)
            elif rule.multiplier > multipliers[p]:
                multipliers[p] = rule.multiplier
        applied.append(AppliedCampaign(rule.id, rule.name, len(positions), spend))
        if rule.capped:
            capped.append(rule.id)

    slot = [0] * len(given)
    for position, i in enumerate(order):
        slot[i] = position
    quoted = tuple(
        LineQuote(
            offering_id=line.offering_id,
            kind=line.kind,
            name=line.name,
            list_price_fen=line.list_price_fen,
            final_price_fen=remaining[slot[i]][0],
            recurring=line.recurring,
            adjustments=tuple(adjustments[slot[i]]),
        )
        for i, line in enumerate(given)
    )
    rejected.sort(key=itemgetter(0))
    return Quote(
        lines=quoted,
        effective_from=effective_from,
        schedule=monthly_schedule(remaining, [line.recurring for line in lines], first_month),
        points_to_earn=_points(remaining, multipliers),
        rejected=tuple(rejection for _, rejection in rejected),
        gifts=tuple(gifts),
        campaign_units=tuple(capped),
        applied=tuple(applied),
    )


def _screen(
    rule: _Rule, profile: SubscriberProfile, channel: Channel, at_us: int, term: int
) -> RejectionReason | None:
    """The reasons that do not depend on other campaigns or on usage."""
    if rule.paused:
        return _R.PAUSED
    if rule.off_window or not rule.start_us <= at_us < rule.end_us:
        return _R.OUTSIDE_WINDOW
    if term == 0 and rule.changes_price:
        return _R.OUTSIDE_WINDOW
    if channel not in rule.channels:
        return _R.CHANNEL
    if rule.audience is not None and not rule.audience.admits(profile):
        return _R.AUDIENCE
    return None


def _combinable(rule: _Rule, positions: list[int], applied_on: list[list[_Rule]]) -> bool:
    before = rule.accepts_earlier
    for p in positions:
        for earlier in applied_on[p]:
            after = earlier.accepts_later
            if after is not None and rule.id not in after:
                return False
            if before is not None and earlier.id not in before:
                return False
    return True


def _discounts(
    rule: _Rule, positions: list[int], term: int, remaining: list[list[int]]
) -> list[list[int]] | None:
    """Per matched line, the discount for each month of the term; None when nothing is above the
    floor in any month of the term (BELOW_FLOOR)."""
    floor = rule.floor
    if all(remaining[p][0] <= floor for p in positions) and not any(
        remaining[p][m] > floor for p in positions for m in range(1, min(term, len(remaining[p])))
    ):
        return None
    kind = rule.kind
    if rule.amount:  # AMOUNT_OFF, or RECURRING by amount: one sum over the lines, each month
        return _split_amount(rule.amount, floor, positions, term, remaining)
    out = []
    for p in positions:
        row = remaining[p]
        months = min(term, len(row))
        line_discounts = []
        for month in range(months):
            price = row[month]
            room = price - floor
            if room <= 0:
                line_discounts.append(0)
            elif kind is BenefitKind.FREE_TRIAL:
                line_discounts.append(room)
            elif kind is BenefitKind.FIXED_PRICE:
                line_discounts.append(max(price - max(rule.fixed, floor), 0))
            else:
                line_discounts.append(min(percent_of(price, rule.bp), room))
        out.append(line_discounts)
    return out


def _split_amount(
    amount: int, floor: int, positions: list[int], term: int, remaining: list[list[int]]
) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in positions]
    for month in range(term):
        present = [j for j, p in enumerate(positions) if len(remaining[p]) > month]
        if not present:
            break
        rooms = [max(remaining[positions[j]][month] - floor, 0) for j in present]
        parts = allocate(min(amount, sum(rooms)), rooms)
        for j, part in zip(present, parts, strict=True):
            out[j].append(part)
    return out


def _total(discounts: list[list[int]]) -> int:
    return sum(sum(line) for line in discounts)


def _points(remaining: list[list[int]], multipliers: list[int]) -> int:
    spend_by_multiplier: dict[int, int] = {}
    for row, multiplier in zip(remaining, multipliers, strict=True):
        spend_by_multiplier[multiplier] = spend_by_multiplier.get(multiplier, 0) + row[0]
    return sum(points_for(spend, bp) for bp, spend in spend_by_multiplier.items())
