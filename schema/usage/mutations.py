from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from resolvers import usage
from schema.errors import UserError, to_user_errors
from schema.permissions import OPERATOR, context
from schema.usage.types import DataCategoryEnum, DirectionEnum, UsageKindEnum


@strawberry.input(description="One mediation record. Give the fields of its kind.")
class UsageEventInput:
    event_id: str = strawberry.field(description="Unique id from mediation; resending is a no-op.")
    msisdn: str
    kind: UsageKindEnum
    occurred_at: datetime
    direction: DirectionEnum | None = strawberry.field(default=None, description="Default OUT.")
    seconds: int | None = strawberry.field(default=None, description="VOICE and WLAN.")
    count: int | None = strawberry.field(default=None, description="SMS and MMS messages.")
    bytes: int | None = strawberry.field(default=None, description="DATA (and WLAN) volume.")
    category: DataCategoryEnum | None = strawberry.field(default=None, description="DATA app.")
    amount_fen: int | None = strawberry.field(default=None, description="VALUE_ADDED charge.")
    service_name: str | None = strawberry.field(
        default=None, description="VALUE_ADDED service, or the app of DATA traffic (爱奇艺)."
    )
    counterparty: str | None = strawberry.field(default=None, description="VOICE, SMS, MMS.")
    location: str | None = None
    roaming_zone: str | None = strawberry.field(
        default=None, description="Roaming destination code (HMT, JPKR, EU…); omit at home."
    )


@strawberry.type
class UsageEventResult:
    event_id: str
    status: str = strawberry.field(description="RATED, DUPLICATE (already rated) or REJECTED.")
    charge_fen: int


@strawberry.type
class UsageIngestPayload:
    rated: int
    duplicates: int
    rejected: int
    charged_fen: int
    results: list[UsageEventResult]
    user_errors: list[UserError]


def _raw(event: UsageEventInput) -> dict:
    return {
        "eventId": event.event_id,
        "msisdn": event.msisdn,
        "kind": event.kind.value if event.kind else None,
        "occurredAt": event.occurred_at,
        "direction": event.direction.value if event.direction else None,
        "seconds": event.seconds,
        "count": event.count,
        "bytes": event.bytes,
        "category": event.category.value if event.category else None,
        "amountFen": event.amount_fen,
        "serviceName": event.service_name,
        "roamingZone": event.roaming_zone,
        "counterparty": event.counterparty,
        "location": event.location,
    }


@strawberry.type
class UsageMutation:
    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="Rate usage events (OPERATOR): up to 1,000 per call, idempotent by eventId.",
    )
    async def usage_ingest(self, info: Info, events: list[UsageEventInput]) -> UsageIngestPayload:
        try:
            result = await usage.ingest(context(info), [_raw(e) for e in events])
        except DomainError as error:
            return UsageIngestPayload(
                rated=0,
                duplicates=0,
                rejected=len(events),
                charged_fen=0,
                results=[],
                user_errors=to_user_errors(error),
            )
        return UsageIngestPayload(
            rated=result.rated,
            duplicates=result.duplicates,
            rejected=result.rejected,
            charged_fen=result.charged_fen,
            results=[
                UsageEventResult(event_id=r.event_id, status=r.status, charge_fen=r.charge_fen)
                for r in result.results
            ],
            user_errors=to_user_errors(DomainError(*result.problems)) if result.problems else [],
        )
