"""The hall's app plus two bare Starlette routes for `bench.graphql` (never served in production):
`/bench/none` answers JSON with no reads (d); `/bench/reads` makes the dashboard's reads through
the same data layer, session check included, and answers the same JSON shape (a)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from resolvers.accounts import current_subscriber
from resolvers.billing import bills
from resolvers.context import RequestContext
from resolvers.ordering.reading import orders_page
from resolvers.usage_views import allowances
from server.app import bearer, client_ip, create_app
from server.settings import load_settings


async def none(request: Request) -> JSONResponse:
    return JSONResponse({"data": {"__typename": "Query"}})


async def reads(request: Request) -> JSONResponse:
    services = request.app.state.services
    token = bearer(request)
    session = await services.stores.sessions.resolve(token) if token else None
    ctx = RequestContext(services=services, session=session, client_ip=client_ip(request))
    sub = await current_subscriber(ctx)
    if sub is None:
        return JSONResponse({"data": {"me": None}})
    now = ctx.now()
    held = await allowances(sub, now)
    last = await bills(sub, 1, now)
    page = await orders_page(sub.id, 10, None)
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


def build():
    app = create_app(load_settings())
    app.router.routes[:0] = [Route("/bench/none", none), Route("/bench/reads", reads)]
    return app
