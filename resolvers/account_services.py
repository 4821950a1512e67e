"""Reading a subscriber's account services (the writes are order kinds in
resolvers/ordering/account_services.py)."""

from __future__ import annotations

from db.repositories import account_services
from domain.account_services import ServiceState


async def service_state(subscriber_id: int) -> ServiceState:
    return await account_services.load(subscriber_id)
