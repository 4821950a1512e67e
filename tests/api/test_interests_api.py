"""me.interests / me.quietHours and interestsSet."""

from tests.conftest import subscribe

READ = "{ me { interests { topic channels } quietHours { start end } } }"
SET = """mutation($i: [InterestInput!]!, $q: QuietHoursInput) {
  interestsSet(input: {interests: $i, quietHours: $q}) {
    interests { topic channels } quietHours { start end } userErrors { code field } } }"""


async def test_defaults_then_replace(api, services):
    sub = await subscribe(services)
    me = (await api.as_(sub.token).data(READ))["me"]
    assert me == {"interests": [], "quietHours": {"start": "22:00", "end": "08:00"}}
    chosen = [
        {"topic": "FLASH_SALES", "channels": ["APP", "SMS"]},
        {"topic": "DATA_PACKS", "channels": ["APP"]},
    ]
    done = (await api.as_(sub.token).data(SET, i=chosen, q={"start": "23:30", "end": "07:00"}))[
        "interestsSet"
    ]
    assert done["userErrors"] == []
    me = (await api.as_(sub.token).data(READ))["me"]
    assert me["interests"] == [
        {"topic": "DATA_PACKS", "channels": ["APP"]},
        {"topic": "FLASH_SALES", "channels": ["APP", "SMS"]},
    ]
    assert me["quietHours"] == {"start": "23:30", "end": "07:00"}
    # replacing without quiet hours keeps them
    done = (await api.as_(sub.token).data(SET, i=[{"topic": "ROAMING", "channels": ["SMS"]}]))[
        "interestsSet"
    ]
    assert done["interests"] == [{"topic": "ROAMING", "channels": ["SMS"]}]
    assert done["quietHours"] == {"start": "23:30", "end": "07:00"}


async def test_bad_input_changes_nothing(api, services):
    sub = await subscribe(services)
    good = [{"topic": "PLANS", "channels": ["APP"]}]
    await api.as_(sub.token).data(SET, i=good)
    twice = [*good, {"topic": "PLANS", "channels": ["SMS"]}]
    bad = (await api.as_(sub.token).data(SET, i=twice))["interestsSet"]
    assert bad["userErrors"][0]["code"] == "INTEREST_INVALID"
    bad = (await api.as_(sub.token).data(SET, i=[], q={"start": "25:00", "end": "07:00"}))[
        "interestsSet"
    ]
    assert bad["userErrors"] == [{"code": "QUIET_HOURS_INVALID", "field": "quietHours.start"}]
    me = (await api.as_(sub.token).data(READ))["me"]
    assert me["interests"] == [{"topic": "PLANS", "channels": ["APP"]}]
    body = await api.as_(sub.limited_token)(SET, i=good)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
