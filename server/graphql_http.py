"""GraphQL over HTTP (the GraphQL Foundation's spec), one request at a time, every bad input a 4xx.

- Media types: a client that accepts `application/graphql-response+json` gets it, and then a
  request that fails before execution (unparsable body or params, syntax, validation, limits)
  answers 400 with no `data` entry; `application/json` (legacy clients, or no Accept, or `*/*`)
  answers 200 for GraphQL errors as before. Any other Accept: 406.
- GET runs queries only (a mutation over GET is 405 with `Allow: POST`); `variables` and
  `extensions` arrive as JSON in the query string.
- POST takes `application/json` in UTF-8 (415 otherwise); the body must be a JSON object, or an
  array of at most `max_batch_operations` of them (a batch: each runs in order with a context of
  its own; the answer is an array, 200).
  A batch is measured as a whole before any of it runs: its costs and its root mutations are
  summed against the same limits as one operation (400 `QUERY_TOO_COSTLY` / `TOO_MANY_MUTATIONS`).
- `extensions.persistedQuery` (Apollo's automatic persisted queries): `server.persisted_queries`.
- A body that is not JSON, not UTF-8, nested past what the decoder handles, or whose `query`,
  `operationName`, `variables` or `extensions` have the wrong type: 400 with a code.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from schema.extensions import measure_document, parse_document
from schema.persisted import KEY as PERSISTED
from server.http_problem import HttpProblem, problem_error
from server.persisted_queries import PersistedQueryNotFound, requested_hash

if TYPE_CHECKING:
    from server.app import HallGraphQL

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
STREAMING = ("subscriptionSpec", "text/event-stream")  # subscriptions over HTTP: Strawberry's


def wants_stream(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(kind in accept for kind in STREAMING)


def wants_ide(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def media_type(accept: str | None) -> str | None:
    """The response type for an Accept header; None when nothing acceptable is offered."""
    if not accept or not accept.strip():
        return JSON
    offered: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.lower()
        if quality <= 0:
            continue
        if kind == GRAPHQL_RESPONSE:
            offered.append((quality, -position, GRAPHQL_RESPONSE))
        elif kind in (JSON, "application/*", "*/*"):
            offered.append((quality, -position, JSON))
    return max(offered)[2] if offered else None


NUL = re.compile(r"\x00|\\u0000|\\u\{0+\}", re.IGNORECASE)


def refuse_nul(text: str) -> None:
    """No field takes a NUL character (PostgreSQL text cannot hold one): refuse it at the door,
    raw, JSON-escaped or GraphQL-escaped, instead of failing deep inside a write."""
    if NUL.search(text):
        raise HttpProblem(400, "BAD_REQUEST", "NUL characters (U+0000) are not accepted.")


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise HttpProblem(400, "BAD_REQUEST", f"`{name}` is not valid JSON.") from None


def _request_params(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HttpProblem(400, "BAD_REQUEST", "The body must be a JSON object.")
    for key in ("variables", "extensions"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise HttpProblem(400, "BAD_REQUEST", f"`{key}` must be an object or null.")
    sha = requested_hash(data.get("extensions"))
    query = data.get("query")
    if not (sha is not None and query is None) and (
        not isinstance(query, str) or not query.strip()
    ):
        raise HttpProblem(400, "BAD_REQUEST", "`query` must be a non-empty string.")
    name = data.get("operationName")
    if name is not None and not isinstance(name, str):
        raise HttpProblem(400, "BAD_REQUEST", "`operationName` must be a string or null.")
    return {
        "query": query,
        "operation_name": name,
        "variables": data.get("variables"),
        "extensions": data.get("extensions"),
        "sha256": sha,
        "persisted": None,
    }


async def _body(request: Request, max_batch: int) -> list[dict[str, Any]] | dict[str, Any]:
    if request.method == "GET":
        params = request.query_params
        for value in params.values():
            refuse_nul(value)
        return _request_params(
            {
                "query": params.get("query"),
                "operationName": params.get("operationName") or None,
                "variables": _json_param(params.get("variables"), "variables"),
                "extensions": _json_param(params.get("extensions"), "extensions"),
            }
        )
    content_type = request.headers.get("content-type", "")
    kind, *params = (p.strip().lower() for p in content_type.split(";"))
    charset = next((p.partition("=")[2].strip('"') for p in params if p.startswith("charset")), "")
    if kind != JSON or charset not in ("", "utf-8", "utf8"):
        raise HttpProblem(
            415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json in UTF-8."
        )
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpProblem(400, "BAD_REQUEST", "The body is not UTF-8.") from None
    refuse_nul(text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise HttpProblem(400, "BAD_REQUEST", "The body is not valid JSON.") from None
    if isinstance(data, list):
        if not data or len(data) > max_batch:
            raise HttpProblem(
                400,
                "BATCH_TOO_LARGE",
                f"A batch holds 1 to {max_batch} operations.",
            )
        return [_request_params(item) for item in data]
    return _request_params(data)


def _is_request_error(result: Any) -> bool:
    """Failed before execution: no data, and no error points at a field."""
    return result.data is None and bool(result.errors) and all(not e.path for e in result.errors)


async def _execute_one(
    view: HallGraphQL, request: Request, params: dict[str, Any], sub_response: Response
) -> Any:
    allowed = {OperationType.QUERY}
    if request.method == "POST":
        allowed |= {OperationType.MUTATION}
    context = await view.get_context(request, sub_response)
    query, extensions, persisted = params["query"], params["extensions"], params["persisted"]
    if persisted is not None:
        query, extensions = persisted.query, {**extensions, PERSISTED: persisted}
    try:
        result = await view.schema.execute(
            query,
            variable_values=params["variables"],
            context_value=context,
            operation_name=params["operation_name"],
            allowed_operation_types=allowed,
            operation_extensions=extensions,
        )
        if persisted is not None:
            await view.persisted.settle(persisted, params["query"] is not None, view.apq_store())
        answer_status(context, sub_response, view.retry_after)
        return result
    except InvalidOperationTypeError as error:
        if request.method == "GET" and error.operation_type is OperationType.MUTATION:
            raise HttpProblem(
                405, "METHOD_NOT_ALLOWED", "Send mutations with POST.", {"allow": "POST"}
            ) from None
        raise HttpProblem(
            400, "BAD_REQUEST", "Subscriptions run over a WebSocket at /graphql."
        ) from None
    except CannotGetOperationTypeError as error:
        raise HttpProblem(400, "BAD_REQUEST", error.as_http_error_reason()) from None
    except MissingQueryError:
        raise HttpProblem(400, "BAD_REQUEST", "No GraphQL query found in the request.") from None


def answer_status(context: Any, sub_response: Response, retry_after: int) -> None:
    """503 when a field needed Redis, which is away; 429 when the rate limit refused the query
    (both with Retry-After)."""
    if getattr(context, "unavailable", False):
        sub_response.status_code = 503
        sub_response.headers["retry-after"] = str(retry_after)
    elif getattr(context, "rate_limited_for", 0):
        sub_response.status_code = 429
        sub_response.headers["retry-after"] = str(context.rate_limited_for)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _response(payload: Any, status: int, media: str, sub: Response, headers=None) -> Response:
    response = Response(_encode(payload), status_code=status, media_type=f"{media}; charset=utf-8")
    for key, value in sub.headers.items():
        if key.lower() not in ("content-length", "content-type"):
            response.headers[key] = value
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


async def graphql_over_http(view: HallGraphQL, request: Request, max_batch: int) -> Response:
    media = media_type(request.headers.get("accept"))
    sub_response = Response()
    if media is None:
        return _response(
            {"errors": [problem_error("NOT_ACCEPTABLE", f"Accept {GRAPHQL_RESPONSE} or {JSON}.")]},
            406,
            JSON,
            sub_response,
        )
    try:
        body = await _body(request, max_batch)
        if isinstance(body, list):
            answers = await _batch(view, request, body, sub_response)
            return _response(answers, 200, media, sub_response)
        await _look_up_persisted(view, body)
        result = await _execute_one(view, request, body, sub_response)
    except HttpProblem as problem:
        return _response(problem.payload(), problem.status, media, sub_response, problem.headers)
    payload = process_result(result)
    status = sub_response.status_code if sub_response.status_code != 200 else 200
    if media == GRAPHQL_RESPONSE and _is_request_error(result):
        payload.pop("data", None)
        status = 400 if status == 200 else status
    return _response(payload, status, media, sub_response)


async def _look_up_persisted(view: HallGraphQL, params: dict[str, Any]) -> None:
    if params["sha256"] is not None:
        params["persisted"] = await view.persisted.prepare(
            params["sha256"], params["query"], view.apq_store()
        )


async def _batch(
    view: HallGraphQL, request: Request, body: list[dict[str, Any]], sub_response: Response
) -> list[Any]:
    """Each operation answers in its place; one whose persisted query is unknown answers
    `PersistedQueryNotFound` there and the others still run."""
    answers: list[Any] = [None] * len(body)
    for index, params in enumerate(body):
        try:
            await _look_up_persisted(view, params)
        except PersistedQueryNotFound as missing:
            answers[index] = missing.payload()
    _within_batch_limits(view, [p for p, a in zip(body, answers, strict=True) if a is None])
    for index, params in enumerate(body):
        if answers[index] is None:
            answers[index] = process_result(await _execute_one(view, request, params, sub_response))
    return answers


def _within_batch_limits(view: HallGraphQL, batch: list[dict[str, Any]]) -> None:
    """The batch counts as one request: costs and root mutations summed. An operation that
    does not parse adds nothing here; it answers its own syntax error in its place."""
    cost = mutations = 0
    schema = view.schema._schema
    for params in batch:
        persisted = params["persisted"]
        try:
            document = (
                persisted.document
                if persisted is not None and persisted.document is not None
                else parse_document(
                    persisted.query if persisted else params["query"], view.max_tokens
                )
            )
        except GraphQLError:
            continue
        measured = measure_document(
            schema, document, params["variables"], params["operation_name"], view.limits
        )
        cost += measured.cost
        mutations += measured.mutations
    limits = view.limits
    if mutations > limits.max_root_mutations:
        raise HttpProblem(
            400,
            "TOO_MANY_MUTATIONS",
            f"The batch runs {mutations} mutations; at most {limits.max_root_mutations} are "
            "allowed per request, its operations together.",
        )
    if cost > limits.max_cost:
        raise HttpProblem(
            400,
            "QUERY_TOO_COSTLY",
            f"The batch costs {cost} points; at most {limits.max_cost} are allowed per request, "
            "its operations together.",
            extensions={"cost": cost, "maximumCost": limits.max_cost},
        )
