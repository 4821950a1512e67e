"""The simulated mail service (the EmailSender port's honest stand-in).

It behaves the way a mail relay does towards the hall: each call takes a while (latency), some
calls are deferred for a moment (transient failures, like an SMTP 451), an address it cannot
deliver to is refused for good (like an SMTP 550), and a message id it already accepted is
accepted again without a second delivery (so a retry after a lost answer is safe). What it
delivers is a real MIME message (the stdlib `email` package, attachments included) written to
`<mailbox>/<recipient>/<message id>.eml`, which any mail client opens. Exclusive creation of
that file is the "accepted once" guard, so every worker and process sharing the data directory
shares one mail service.

Determinism: with `seed` set, whether the n-th try of a message fails and how long it takes
follow from (seed, message id, n) alone."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from domain.clock import Clock
from domain.ports import Attachment, EmailRejectedError, EmailTransientError

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
UNDELIVERABLE = ".invalid"  # RFC 2606: a domain that never has a mailbox


class SimulatedEmailSender:
    def __init__(
        self,
        mailbox: Path,
        clock: Clock,
        *,
        sender: str,
        latency_ms: int = 80,
        failure_rate: float = 0.0,
        seed: int | None = None,
    ) -> None:
        self.mailbox, self.clock, self.sender = mailbox, clock, sender
        self.latency_ms, self.failure_rate = latency_ms, failure_rate
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._tries: dict[str, int] = {}
        self.duplicates = 0  # ids accepted again without a second delivery (this process)

    def _draw(self, message_id: str, attempt: int, what: str) -> float:
        digest = hashlib.sha256(f"{self.seed}:{message_id}:{attempt}:{what}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def folder(self, to: str) -> Path:
        return self.mailbox / re.sub(r"[^a-z0-9@._-]", "_", to.strip().lower())

    async def send(
        self,
        message_id: str,
        to: str,
        subject: str,
        body: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> None:
        if not ADDRESS.match(to) or to.lower().endswith(UNDELIVERABLE):
            raise EmailRejectedError("NO_SUCH_MAILBOX")
        attempt = self._tries[message_id] = self._tries.get(message_id, 0) + 1
        if self.latency_ms:
            spread = 0.5 + self._draw(message_id, attempt, "latency")  # 0.5× to 1.5×
            await asyncio.sleep(self.latency_ms * spread / 1000)
        if self._draw(message_id, attempt, "fail") < self.failure_rate:
            raise EmailTransientError("SMTP_451_TRY_LATER")
        message = EmailMessage(policy=SMTP)
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(self.clock.now())
        message["Message-ID"] = f"<{message_id}@telehall.example>"
        message.set_content(body)
        for item in attachments:
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(
                item.content, maintype=maintype, subtype=subtype, filename=item.filename
            )
        folder = self.folder(to)
        if not await asyncio.to_thread(_deliver_once, folder, message_id, bytes(message)):
            self.duplicates += 1

    def delivered(self, to: str) -> list[Path]:
        """The messages delivered to `to`, oldest first (for tests and the dev mailbox)."""
        folder = self.folder(to)
        if not folder.exists():
            return []
        return sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))


def _deliver_once(folder: Path, message_id: str, raw: bytes) -> bool:
    """Write the message unless this id was delivered before; False when it was."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{message_id}.{secrets.token_hex(4)}.tmp"
    temp.write_bytes(raw)
    try:
        os.link(temp, folder / f"{message_id}.eml")  # fails if already delivered
    except FileExistsError:
        return False
    finally:
        temp.unlink()
    return True
