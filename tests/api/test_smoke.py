async def test_me_anonymous_is_null(api):
    assert (await api.data("{ me { msisdn } }"))["me"] is None


async def test_me_with_session(api, subscriber):
    data = await api.as_(subscriber.token).data(
        "{ me { msisdn status puk plan { id name monthlyFeeFen }"
        " balance { amountFen creditLimitFen } } }"
    )
    me = data["me"]
    assert me["msisdn"] == subscriber.msisdn
    assert me["plan"] == {"id": "4G-136", "name": "4G全国套餐 136元", "monthlyFeeFen": 13600}
    assert me["balance"] == {"amountFen": 10000, "creditLimitFen": 0}
    assert len(me["puk"]) == 8
