"""An API client on an app of its own: settings changed for one test, a client address of its
own (so counters per address never mix with other tests), headers of its choosing."""

from __future__ import annotations

import dataclasses
import secrets
from contextlib import asynccontextmanager

import httpx

from server.app import create_app
from tests.conftest import Api


def random_ip() -> str:
    return f"10.{secrets.randbelow(200) + 50}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


class HeaderApi(Api):
    """Api that sends extra headers (X-Forwarded-For) with every request."""

    def __init__(self, client, token=None, headers=None) -> None:
        super().__init__(client, token)
        self.headers = headers or {}

    def as_(self, token):
        return HeaderApi(self.client, token, self.headers)

    def with_headers(self, **headers: str) -> HeaderApi:
        return HeaderApi(self.client, self.token, headers)

    async def post(self, query, variables=None):
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers | self.headers,
        )


@asynccontextmanager
async def app_client(settings, services, ip: str | None = None, hasher=None, **changes):
    """An app whose settings differ by `changes`, reached from `ip`."""
    changed = settings.model_copy(update=changes)
    own = dataclasses.replace(services, settings=changed)
    if hasher is not None:
        own = dataclasses.replace(own, hasher=hasher)
    app = create_app(changed, own)
    transport = httpx.ASGITransport(app=app, client=(ip or random_ip(), 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
        yield HeaderApi(client)
