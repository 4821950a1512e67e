"""Interfaces to the outside world; the hall ships honest simulated implementations of each."""

from __future__ import annotations

from typing import Protocol


class SmsGateway(Protocol):
    async def send(self, msisdn: str, kind: str, text: str) -> None: ...
