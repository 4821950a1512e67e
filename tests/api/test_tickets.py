"""Tickets through the GraphQL multipart request spec: screenshots checked by content, size
and count, stored re-encoded without metadata, served only to their owner and staff; the
status machine with history and an SMS on every change."""

from __future__ import annotations

import io
import json

from PIL import Image

from db.models.accounts import Notification
from db.models.service import Ticket, TicketAttachment
from tests.api.service_helpers import agent_token
from tests.conftest import subscribe

CREATE = """mutation($input: TicketCreateInput!) { ticketCreate(input: $input) {
  ticket { id status promisedBy createdAt history { toStatus }
           attachments { id contentType width height url } }
  userErrors { code field } } }"""
MOVE = """mutation($id: ID!, $s: TicketStatus!) { ticketUpdateStatus(id: $id, status: $s,
  note: "已核实") { ticket { status history { fromStatus toStatus actor } }
  userErrors { code field } } }"""


def _jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"  # Make
    Image.new("RGB", (40, 30), "red").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(out, "PNG")
    return out.getvalue()


async def _upload(api, token, files: list[tuple[str, bytes, str]], description="充值未到账"):
    operations = {
        "query": CREATE,
        "variables": {"input": {"category": "RECHARGE", "description": description,
                                "attachments": [None] * len(files)}},
    }  # fmt: skip
    mapping = {str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(i): f for i, f in enumerate(files)},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["ticketCreate"]


async def _sms_count(msisdn: str) -> int:
    return await Notification.filter(msisdn=msisdn, kind="TICKET_STATUS").count()


async def test_a_ticket_with_screenshots_is_worked_to_closed_with_an_sms_each_step(
    api, services, subscriber
):
    made = await _upload(
        api, subscriber.token,
        [("shot.jpg", _jpeg_with_exif(), "image/jpeg"), ("a.png", _png(), "image/png")],
    )  # fmt: skip
    assert made["userErrors"] == []
    ticket = made["ticket"]
    assert ticket["status"] == "SUBMITTED" and ticket["promisedBy"] > ticket["createdAt"]
    kinds = [(a["contentType"], a["width"], a["height"]) for a in ticket["attachments"]]
    assert sorted(kinds) == [("image/jpeg", 40, 30), ("image/png", 20, 10)]
    jpeg = next(a for a in ticket["attachments"] if a["contentType"] == "image/jpeg")
    served = await api.client.get(
        jpeg["url"], headers={"authorization": f"Bearer {subscriber.token}"}
    )
    assert served.status_code == 200 and b"SecretPhone" not in served.content
    assert Image.open(io.BytesIO(served.content)).getexif().get(0x010F) is None

    other = await subscribe(services)
    stolen = await api.client.get(jpeg["url"], headers={"authorization": f"Bearer {other.token}"})
    assert stolen.status_code == 404
    assert (await api.client.get(jpeg["url"])).status_code == 401
    peek = await api.as_(other.token).data(
        "query($id: ID!) { ticket(id: $id) { id } }", id=ticket["id"]
    )
    assert peek["ticket"] is None

    assert await _sms_count(subscriber.msisdn) == 1
    _, agent = await agent_token(services)
    staff = api.as_(agent)
    by_staff = await api.client.get(jpeg["url"], headers={"authorization": f"Bearer {agent}"})
    assert by_staff.status_code == 200
    for step in ("ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED"):
        moved = (await staff.data(MOVE, id=ticket["id"], s=step))["ticketUpdateStatus"]
        assert moved["userErrors"] == [] and moved["ticket"]["status"] == step
    assert [h["toStatus"] for h in moved["ticket"]["history"]] == [
        "SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED"
    ]  # fmt: skip
    assert await _sms_count(subscriber.msisdn) == 5
    reopened = (await staff.data(MOVE, id=ticket["id"], s="IN_PROGRESS"))["ticketUpdateStatus"]
    assert reopened["userErrors"] == [{"code": "INVALID_TICKET_STATUS", "field": "status"}]
    assert await _sms_count(subscriber.msisdn) == 5

    mine = await api.as_(subscriber.token).data(
        "query { me { tickets(first: 5) { nodes { id } } } }"
    )
    assert [n["id"] for n in mine["me"]["tickets"]["nodes"]] == [ticket["id"]]
    customer_move = await api.as_(subscriber.token)(MOVE, id=ticket["id"], s="CLOSED")
    assert customer_move["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_screenshots_are_refused_with_codes_and_nothing_is_stored(api, subscriber):
    before = (
        await Ticket.filter(subscriber_id=subscriber.id).count(),
        await TicketAttachment.all().count(),
    )
    exe = b"MZ\x90\x00" + b"\x00" * 200  # a Windows executable renamed
    cases = [
        ([("shot.png", exe, "image/png")], "ATTACHMENT_NOT_IMAGE", "attachments.0"),
        ([("a.png", _png(), "image/png"), ("big.png", _png() + b"\x00" * (5 * 1024 * 1024), "image/png")],
         "ATTACHMENT_TOO_LARGE", "attachments.1"),
        ([("a.png", _png(), "image/png")] * 4, "TOO_MANY_ATTACHMENTS", "attachments"),
        ([("fake.jpg", b"\xff\xd8\xff" + b"junk" * 10, "image/jpeg")], "ATTACHMENT_NOT_IMAGE", "attachments.0"),
    ]  # fmt: skip
    for files, code, field in cases:
        result = await _upload(api, subscriber.token, files)
        assert result == {"ticket": None, "userErrors": [{"code": code, "field": field}]}, code
    empty = (
        await api.as_(subscriber.token).data(
            CREATE, input={"category": "OTHER", "description": "  ", "attachments": []}
        )
    )["ticketCreate"]
    assert empty["userErrors"] == [{"code": "INVALID_TICKET", "field": "description"}]
    after = (
        await Ticket.filter(subscriber_id=subscriber.id).count(),
        await TicketAttachment.all().count(),
    )
    assert after == before
