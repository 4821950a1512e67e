"""Per-request DataLoaders of the service area: a page of tickets costs one query for their
histories and one for their attachments (without the image bytes), not one per ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from strawberry.dataloader import DataLoader

from db.models.service import TicketAttachment, TicketEvent
from resolvers.context import RequestContext
from resolvers.loaders import loader

LISTED = ("id", "ticket_id", "content_type", "size", "width", "height", "created_at")


def _grouped(fetch: Callable[[list[str]], Awaitable[list]]) -> Callable[[], Callable]:
    def batch() -> Callable[[Sequence[str]], Awaitable[list[list]]]:
        async def load(ticket_ids: Sequence[str]) -> list[list]:
            grouped: dict[str, list] = {t: [] for t in ticket_ids}
            for row in await fetch(list(set(ticket_ids))):
                grouped[row.ticket_id].append(row)
            return [grouped[t] for t in ticket_ids]

        return load

    return batch


def ticket_events(ctx: RequestContext) -> DataLoader:
    async def fetch(ids: list[str]) -> list[TicketEvent]:
        return await TicketEvent.filter(ticket_id__in=ids).order_by("id")

    return loader(ctx, "ticket_events", _grouped(fetch))


def ticket_attachments(ctx: RequestContext) -> DataLoader:
    async def fetch(ids: list[str]) -> list[TicketAttachment]:
        query = TicketAttachment.filter(ticket_id__in=ids).only(*LISTED)
        return await query.order_by("created_at", "id")

    return loader(ctx, "ticket_attachments", _grouped(fetch))
