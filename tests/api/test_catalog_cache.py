"""The hot catalog rows are cached per process: once warm, reading plans, packs and add-ons
costs no SQL and only the admission script's Redis call (which carries the catalog version),
and a catalog change is seen at once by another app instance sharing Redis and the database."""

import secrets

import httpx

from db.models.catalog import Pack
from resolvers.catalog_cache import changed
from server.app import create_app
from server.resources import build_services
from tests.conftest import Api
from tests.cost_counters import counting

CATALOG = """{ catalog { plans { id name components { id } } packs { id description priceFen }
  addOns { id destination { code } } dataPacks: packs(kind: DATA) { id }
  roamingDestinations { code packs { id } } } }"""
DESCRIPTION = "{ catalog { packs(kind: DATA) { id description } } }"


async def test_warm_catalog_reads_cost_no_sql(api, services):
    await api.data(CATALOG)  # warm
    with counting(services.stores.redis) as counted:
        data = await api.data(CATALOG)
    assert counted.sql == []
    assert counted.redis == ["EVALSHA"]  # the catalog version came with the admission
    catalog = data["catalog"]
    assert len(catalog["plans"]) >= 13 and catalog["packs"] and catalog["addOns"]
    assert {p["id"] for p in catalog["dataPacks"]} < {p["id"] for p in catalog["packs"]}


async def test_a_change_is_seen_at_once_by_another_instance(api, settings, services):
    other = build_services(settings, settings.redis_url or "", services.clock)
    transport = httpx.ASGITransport(
        app=create_app(settings, other), client=(f"10.7.{secrets.randbelow(250)}.1", 1234)
    )
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hall.test") as client:
            second = Api(client)

            def description(data: dict) -> str:
                return {p["id"]: p["description"] for p in data["catalog"]["packs"]}["DATA-1G"]

            before = description(await second.data(DESCRIPTION))
            await Pack.filter(id="DATA-1G").update(description="cache test")
            # the row changed under the cache, unannounced: the warm instance still serves it
            assert description(await second.data(DESCRIPTION)) == before
            await changed(services)  # what a seed or a migration does, from the first instance
            with counting(other.stores.redis) as counted:
                assert description(await second.data(DESCRIPTION)) == "cache test"
            assert counted.redis == ["EVALSHA"] and len(counted.sql) == 4  # the reload
            assert description(await api.data(DESCRIPTION)) == "cache test"
    finally:
        await Pack.filter(id="DATA-1G").update(description=before)
        await changed(services)
        await other.stores.redis.aclose()
