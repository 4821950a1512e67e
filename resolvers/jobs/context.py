"""What a scheduled job receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.context import RequestContext, Services


@dataclass(frozen=True)
class JobContext:
    """The services, the slot the run is for, and `now` read from the one clock at its start."""

    services: Services
    scheduled_for: datetime
    now: datetime

    def request(self) -> RequestContext:
        """For use cases written against a request context (SMS notices, settings)."""
        return RequestContext(services=self.services, session=None, client_ip="jobs")
