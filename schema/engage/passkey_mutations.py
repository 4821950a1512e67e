"""Passkey mutations: register begin/finish (FULL session), login begin/finish, remove."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import passkeys
from schema.accounts.payloads import SessionPayload
from schema.engage.passkeys import Passkey, passkey_node
from schema.errors import UserError, payload
from schema.permissions import context, subscriber_session


@strawberry.type
class PasskeyChallengePayload:
    challenge_id: str | None = strawberry.field(default=None, description="Send it back to finish")
    options_json: str | None = strawberry.field(
        default=None, description="PublicKeyCredential options for navigator.credentials"
    )
    user_errors: list[UserError]


@strawberry.type
class PasskeyPayload:
    passkey: Passkey | None = None
    user_errors: list[UserError]


@strawberry.input
class PasskeyRegisterFinishInput:
    challenge_id: str
    credential_json: str = strawberry.field(description="The PublicKeyCredential as JSON")
    name: str | None = None


@strawberry.input
class PasskeyLoginBeginInput:
    msisdn: str


@strawberry.input
class PasskeyLoginFinishInput:
    challenge_id: str
    credential_json: str


@strawberry.input
class PasskeyRemoveInput:
    id: strawberry.ID


@strawberry.type
class PasskeyMutation:
    @strawberry.mutation(description="Start registering a passkey (FULL session).")
    async def passkey_register_begin(self, info: Info) -> PasskeyChallengePayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            challenge_id, options = await passkeys.register_begin(context(info), session)
            return {"challenge_id": challenge_id, "options_json": options}

        return await payload(PasskeyChallengePayload, work)

    @strawberry.mutation(description="Finish registering: the authenticator's attestation.")
    async def passkey_register_finish(
        self, info: Info, input: PasskeyRegisterFinishInput
    ) -> PasskeyPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            row = await passkeys.register_finish(
                context(info), session, input.challenge_id, input.credential_json, input.name or ""
            )
            return {"passkey": passkey_node(row)}

        return await payload(PasskeyPayload, work)

    @strawberry.mutation(description="Start a passkey login for a number.")
    async def passkey_login_begin(
        self, info: Info, input: PasskeyLoginBeginInput
    ) -> PasskeyChallengePayload:
        async def work():
            challenge_id, options = await passkeys.login_begin(context(info), input.msisdn)
            return {"challenge_id": challenge_id, "options_json": options}

        return await payload(PasskeyChallengePayload, work)

    @strawberry.mutation(description="Finish a passkey login: a FULL session, no captcha.")
    async def passkey_login_finish(
        self, info: Info, input: PasskeyLoginFinishInput
    ) -> SessionPayload:
        async def work():
            session = await passkeys.login_finish(
                context(info), input.challenge_id, input.credential_json
            )
            return {"session": session}

        return await payload(SessionPayload, work)

    @strawberry.mutation(description="Remove one of your passkeys.")
    async def passkey_remove(self, info: Info, input: PasskeyRemoveInput) -> PasskeyPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            row = await passkeys.passkey_remove(context(info), session, str(input.id))
            return {"passkey": passkey_node(row)}

        return await payload(PasskeyPayload, work)
