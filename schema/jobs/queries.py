from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.jobs import views
from schema.jobs.types import JobRun
from schema.pagination import Connection, connection_of
from schema.permissions import OPERATOR


@strawberry.type
class JobQuery:
    @strawberry.field(
        permission_classes=OPERATOR,
        description="OPERATOR: the runs of the scheduled jobs, newest first; `name` narrows to "
        "one job (billing-close, plan-changes, sms-outbox, …).",
    )
    async def job_runs(
        self, info: Info, first: int | None = 20, after: str | None = None, name: str | None = None
    ) -> Connection[JobRun]:
        return await connection_of(lambda: views.runs_page(name, first, after))  # type: ignore[arg-type]
