"""Automatic persisted queries over HTTP, Apollo's protocol (`extensions.persistedQuery =
{version: 1, sha256Hash}`), on POST and GET:

- hash and query: the hash must be the query's sha256 (else 400 `provided sha does not match
  query`); once the document has validated it is registered in Redis, shared by every worker;
- hash alone: known to this process → the fast path (neither parsed nor validated again);
  known to Redis → parsed and validated once here, then the fast path; unknown → the GraphQL
  error `PersistedQueryNotFound` (`PERSISTED_QUERY_NOT_FOUND`) with HTTP 200, on which Apollo
  clients send the query with its hash.

Mutations over GET stay refused (the operation type is read from the document either way)."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any

import structlog
from redis.exceptions import RedisError

from db.stores.persisted_queries import PersistedQueryStore
from schema.persisted import KEY, PersistedDocument
from server.http_problem import HttpProblem

log = structlog.get_logger("telehall.persisted")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
NOT_FOUND = "PersistedQueryNotFound"  # the message Apollo clients match on


class PersistedQueryNotFound(HttpProblem):
    def __init__(self) -> None:
        super().__init__(200, "PERSISTED_QUERY_NOT_FOUND", NOT_FOUND)


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The sha256 a request names, or None when it is not a persisted query."""
    if not extensions or KEY not in extensions:
        return None
    asked = extensions[KEY]
    if not isinstance(asked, dict) or asked.get("version") != 1:
        raise HttpProblem(400, "BAD_REQUEST", "Unsupported persisted query version (send 1).")
    sha = asked.get("sha256Hash")
    if not isinstance(sha, str) or not SHA256.match(sha.lower()):
        raise HttpProblem(400, "BAD_REQUEST", "`sha256Hash` must be 64 hexadecimal digits.")
    return sha.lower()


class PersistedQueries:
    """This process's documents by hash (a bounded LRU) in front of the Redis registry."""

    def __init__(self, cache_size: int, ttl_seconds: int, max_entries: int) -> None:
        self.cache_size, self.ttl_seconds, self.max_entries = cache_size, ttl_seconds, max_entries
        self.documents: OrderedDict[str, PersistedDocument] = OrderedDict()

    async def prepare(
        self, sha: str, query: str | None, store: PersistedQueryStore
    ) -> PersistedDocument:
        if query is not None:
            if sha256_of(query) != sha:
                raise HttpProblem(400, "BAD_REQUEST", "provided sha does not match query")
            known = self.documents.get(sha)
            return known if known is not None else PersistedDocument(sha, query)
        known = self.documents.get(sha)
        if known is not None:
            self.documents.move_to_end(sha)
            return known
        text = await store.get(sha)
        if text is None or sha256_of(text) != sha:
            raise PersistedQueryNotFound
        return PersistedDocument(sha, text)

    async def settle(
        self, persisted: PersistedDocument, sent_query: bool, store: PersistedQueryStore
    ) -> None:
        """After the operation ran: keep a document that validated; register the query a client
        sent with its hash (each time, which renews its life in Redis)."""
        if persisted.document is None:
            return
        self.documents[persisted.sha256] = persisted
        self.documents.move_to_end(persisted.sha256)
        while len(self.documents) > self.cache_size:
            self.documents.popitem(last=False)
        if not sent_query:
            return
        try:
            await store.register(
                persisted.sha256, persisted.query, self.ttl_seconds, self.max_entries
            )
        except RedisError:  # answered already; the client sends the query again on a miss
            log.warning("persisted query not registered: Redis unavailable")
