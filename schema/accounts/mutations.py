from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.sessions import Capability
from resolvers import accounts, auth, qr_login
from schema.accounts.inputs import (
    AuthLoginInput,
    PasswordChangeInput,
    PasswordResetInput,
    SmsCodeSendInput,
    StaffLoginInput,
    SubscriberProvisionInput,
)
from schema.accounts.payloads import (
    CaptchaCreatePayload,
    LogoutPayload,
    PasswordPayload,
    QrLoginConfirmPayload,
    QrLoginPollPayload,
    QrLoginStartPayload,
    SessionPayload,
    SmsCodeSendPayload,
    SubscriberProvisionPayload,
)
from schema.errors import payload
from schema.permissions import OPERATOR, context, subscriber_session


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="A single-use image captcha for password login.")
    async def captcha_create(self, info: Info) -> CaptchaCreatePayload:
        async def work():
            c = await auth.captcha_create(context(info))
            return {"id": c.id, "image_base64": c.image_base64, "expires_at": c.expires_at}

        return await payload(CaptchaCreatePayload, work)

    @strawberry.mutation(
        description="Send a 6-digit code by SMS (login, reset or random password)."
    )
    async def sms_code_send(self, info: Info, input: SmsCodeSendInput) -> SmsCodeSendPayload:
        async def work():
            seconds = await auth.sms_code_send(context(info), input.msisdn, input.purpose)
            return {"resend_after_seconds": seconds}

        return await payload(SmsCodeSendPayload, work)

    @strawberry.mutation(
        description="Log a subscriber in; RANDOM_PASSWORD yields a LIMITED session."
    )
    async def auth_login(self, info: Info, input: AuthLoginInput) -> SessionPayload:
        async def work():
            session = await auth.auth_login(
                context(info),
                input.msisdn,
                input.method,
                input.secret,
                input.captcha_id,
                input.captcha_answer,
            )
            return {"session": session}

        return await payload(SessionPayload, work)

    @strawberry.mutation
    async def staff_login(self, info: Info, input: StaffLoginInput) -> SessionPayload:
        async def work():
            return {
                "session": await auth.staff_login(
                    context(info),
                    input.username,
                    input.password,
                    input.captcha_id,
                    input.captcha_answer,
                )
            }

        return await payload(SessionPayload, work)

    @strawberry.mutation(description="Revoke the current session at once.")
    async def auth_logout(self, info: Info) -> LogoutPayload:
        return LogoutPayload(ok=await auth.auth_logout(context(info)))

    @strawberry.mutation(description="Change the service password (also replaces an initial one).")
    async def password_change(self, info: Info, input: PasswordChangeInput) -> PasswordPayload:
        async def work():
            await auth.password_change(
                context(info),
                input.msisdn,
                input.old_password,
                input.new_password,
                input.captcha_id,
                input.captcha_answer,
            )
            return {"ok": True}

        return await payload(PasswordPayload, work)

    @strawberry.mutation(description="Set a new service password with a RESET_PASSWORD SMS code.")
    async def password_reset(self, info: Info, input: PasswordResetInput) -> PasswordPayload:
        async def work():
            await auth.password_reset(context(info), input.msisdn, input.code, input.new_password)
            return {"ok": True}

        return await payload(PasswordPayload, work)

    @strawberry.mutation(description="Start a QR login on the web page; poll it with qrLoginPoll.")
    async def qr_login_start(self, info: Info) -> QrLoginStartPayload:
        async def work():
            qr = await qr_login.qr_login_start(context(info))
            return {"token": qr.token, "image_base64": qr.image_base64, "expires_at": qr.expires_at}

        return await payload(QrLoginStartPayload, work)

    @strawberry.mutation(description="The logged-in app confirms a scanned QR token.")
    async def qr_login_confirm(self, info: Info, token: str) -> QrLoginConfirmPayload:
        session = subscriber_session(info, Capability.TRANSACT)

        async def work():
            await qr_login.qr_login_confirm(context(info), session, token)
            return {"ok": True}

        return await payload(QrLoginConfirmPayload, work)

    @strawberry.mutation(description="The web page claims its session once the app confirmed.")
    async def qr_login_poll(self, info: Info, token: str) -> QrLoginPollPayload:
        async def work():
            state, session = await qr_login.qr_login_poll(context(info), token)
            return {"state": state, "session": session}

        return await payload(QrLoginPollPayload, work)

    @strawberry.mutation(
        permission_classes=OPERATOR,
        description="Back office: bring a number into service (OPERATOR, ADMIN).",
    )
    async def subscriber_provision(
        self, info: Info, input: SubscriberProvisionInput
    ) -> SubscriberProvisionPayload:

        async def work():
            subscriber = await accounts.provision_subscriber(
                context(info),
                msisdn=input.msisdn,
                plan_id=str(input.plan_id),
                service_password=input.service_password,
                balance_fen=input.balance_fen,
                initial_password=input.initial_password,
                credit_limit_fen=input.credit_limit_fen,
                region=input.region,
                real_name=input.real_name,
                device_5g=input.device_5g,
            )
            return {"subscriber": subscriber}

        return await payload(SubscriberProvisionPayload, work)
