"""Holds on numbers: a logged-in subscriber, or an anonymous caller with a `clientToken`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.numbers.holds import holder_of
from resolvers import number_holds, real_name
from schema.errors import payload
from schema.numbers.types import (
    NumberReleasePayload,
    NumberReservePayload,
    RealNameInput,
    RealNameRegisterPayload,
)
from schema.permissions import context, subscriber_session

TOKEN_HELP = (
    "Anonymous callers only: a random token (16–64 of A-Z a-z 0-9 _ -) the client makes once "
    "and sends with every hold; a logged-in subscriber's session is used instead."
)


ClientToken = Annotated[str | None, strawberry.argument(description=TOKEN_HELP)]


def holder_and_buyer(info: Info, client_token: str | None) -> tuple[str, int | None]:
    """The hold's holder, and the logged-in subscriber buying (None when anonymous)."""
    if context(info).session is None:
        return holder_of(None, client_token), None
    session = subscriber_session(info)
    return holder_of(session.subject_id, None), session.subject_id


def _holder(info: Info, client_token: str | None) -> tuple[str, str | None]:
    if context(info).session is None:
        return holder_of(None, client_token), None
    session = subscriber_session(info)
    return holder_of(session.subject_id, None), session.name


@strawberry.type
class NumberMutation:
    @strawberry.mutation(description="Hold a number for 15 minutes (at most 3 at a time).")
    async def number_reserve(
        self,
        info: Info,
        msisdn: str,
        idempotency_key: str,
        client_token: ClientToken = None,
    ) -> NumberReservePayload:
        async def work() -> dict:
            holder, notify = _holder(info, client_token)
            reservation = await number_holds.reserve(
                context(info), holder, msisdn, idempotency_key, notify
            )
            return {"reservation": reservation}

        return await payload(NumberReservePayload, work)

    @strawberry.mutation(description="Give a held number back to the pool.")
    async def number_release(
        self,
        info: Info,
        reservation_id: str,
        client_token: ClientToken = None,
    ) -> NumberReleasePayload:
        async def work() -> dict:
            holder, _ = _holder(info, client_token)
            return {
                "reservation": await number_holds.release(context(info), holder, reservation_id)
            }

        return await payload(NumberReleasePayload, work)

    @strawberry.mutation(
        description="实名补登记: verify the caller's real name with a resident ID."
    )
    async def real_name_register(self, info: Info, input: RealNameInput) -> RealNameRegisterPayload:
        session = subscriber_session(info)

        async def work() -> dict:
            masked = await real_name.register(
                context(info), session.subject_id, input.name, input.id_number
            )
            return {"real_name_verified": True, "id_number_masked": masked}

        return await payload(RealNameRegisterPayload, work)
