"""Finding 7: a LIMITED (random-password) session read order details through
`me { pendingChange { order { ... } } }` although `orders` needs READ_DETAIL."""

from tests.api.order_helpers import PLAN_CHANGE, new_key
from tests.conftest import subscribe

PENDING_ORDER = """{ me { pendingChange { kind plan { id }
  order { id summary finalPriceFen pricing { lines { name } } } } } }"""


async def test_limited_session_sees_the_change_but_not_its_order(api, services):
    sub = await subscribe(services, balance_fen=50_000)
    placed = await api.as_(sub.token).data(PLAN_CHANGE, plan="4G-196", key=new_key())
    assert placed["planChange"]["userErrors"] == []
    full = (await api.as_(sub.token).data(PENDING_ORDER))["me"]["pendingChange"]
    assert full["order"]["id"] and full["order"]["pricing"]["lines"]

    limited = await api.as_(sub.limited_token)(PENDING_ORDER)
    change = limited["data"]["me"]["pendingChange"]
    assert change["kind"] == "PLAN_CHANGE" and change["plan"]["id"] == "4G-196"
    assert change["order"] is None
    assert limited["errors"][0]["path"][-1] == "order"
    assert limited["errors"][0]["extensions"]["code"] == "FORBIDDEN"
