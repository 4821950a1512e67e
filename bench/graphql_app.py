"""The hall's app plus two bare Starlette routes for `bench.graphql` (never served in production):
`/bench/none` answers JSON with no reads, behind the hall's middleware (d); `/bench/reads`, in
front of the middleware, makes the dashboard's reads through the same data layer, the session
and rate-limit script included (one Redis call, as the dashboard), and answers the same JSON
shape (a)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from db.request_connections import one_connection
from resolvers.accounts import current_subscriber
from resolvers.billing import bills
from resolvers.context import RequestContext
from resolvers.ordering.reading import order_columns, orders_page
from resolvers.usage_views import allowances
from server.app import bearer, bucket_policy, client_ip, create_app
from server.settings import load_settings

DASHBOARD_COST = 25  # what `extensions.cost` reports for bench.graphql's dashboard


async def none(request: Request) -> JSONResponse:
    return JSONResponse({"data": {"__typename": "Query"}})


def reads_route(hall, policy):
    async def reads(request: Request) -> JSONResponse:
        services = hall.state.services
        token = bearer(request)
        address = client_ip(request)
        admitted = await services.stores.gate.admit(address, token, DASHBOARD_COST, policy)
        ctx = RequestContext(services=services, session=admitted.session, client_ip=address)
        async with one_connection():  # as the GraphQL operation does
            sub = await current_subscriber(ctx, with_buckets=True)
            if sub is None:
                return JSONResponse({"data": {"me": None}})
            now = ctx.now()
            held = await allowances(sub, now)
            last = await bills(sub, 1, now, with_items=False)
            page = await orders_page(sub.id, 10, None, order_columns({"kind", "status"}))
        me = {
            "msisdn": sub.msisdn,
            "balance": {"amountFen": sub.balance_fen},
            "allowances": [
                {"kind": str(a.kind), "total": a.total, "used": a.used, "remaining": a.remaining}
                for a in held
            ],
            "bills": [
                {"cycle": b.cycle, "status": str(b.status), "totalFen": b.total_fen} for b in last
            ],
            "orders": {
                "edges": [{"node": {"kind": o.kind, "status": o.status}} for _c, o in page.edges]
            },
        }
        return JSONResponse({"data": {"me": me}})

    return Route("/bench/reads", reads)


def build():
    settings = load_settings()
    hall = create_app(settings)
    hall.router.routes[:0] = [Route("/bench/none", none)]
    bare = reads_route(hall, bucket_policy(settings))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/reads":
            return await bare(scope, receive, send)
        await hall(scope, receive, send)

    return app


if __name__ == "__main__":  # python -m bench.graphql_app PORT WORKERS: served as `telehall serve`
    import sys

    import uvicorn

    from server.workers import serve_workers

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    options = dict(
        app="bench.graphql_app:build", factory=True, port=port, host="127.0.0.1",
        log_level="warning", access_log=False,
    )  # fmt: skip
    raise SystemExit(serve_workers(workers, **options) if workers > 1 else uvicorn.run(**options))
