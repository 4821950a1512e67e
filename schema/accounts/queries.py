from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import accounts
from schema.accounts.types import Subscriber
from schema.permissions import context
from schema.selection import selects


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The logged-in subscriber; null when anonymous or staff.")
    async def me(self, info: Info) -> Subscriber | None:
        return await accounts.current_subscriber(
            context(info), with_buckets=selects(info, "allowances")
        )
