"""Staff-only fields declare their role on the field (schema/permissions.py), never by a call
inside the resolver: walk the built schema for the declarations and the schema source for calls."""

from __future__ import annotations

import ast
from pathlib import Path

from graphql import GraphQLObjectType

from domain.accounts import StaffRole
from schema.permissions import StaffPermission
from schema.root import build_schema

MARKETING_ONLY = {
    "Campaign": {
        "audience", "priority", "stacking", "combinesWith", "caps", "floorFen", "version",
        "createdAt", "createdBy", "updatedAt", "updatedBy", "endedEarlyAt", "stats", "audit",
    },
    "FlashSale": {"stats"},
    "Query": {"promotionPreview", "promotionAudit"},
    "Mutation": {
        "festivalCreate", "campaignCreate", "campaignUpdate", "campaignPause", "campaignResume",
        "campaignEnd", "flashSaleCreate", "flashSaleUpdate", "flashSaleCancel",
        "mallItemCreate", "mallItemUpdate", "mallItemArchive", "mallCodesUpload",
    },
}  # fmt: skip
OPERATOR_ONLY = {
    "Query": {"jobRuns", "serviceStats", "flashRefundsPending"},
    "Mutation": {
        "usageIngest", "billingClose", "subscriberProvision", "redemptionShip",
        "redemptionDeliver", "pointsAdjust", "pointsExpire", "simDeliveryConfirm",
        "invoiceReverse", "flashRefundRetry",
        "kbArticleCreate", "kbArticleUpdate", "kbArticleArchive",
    },
}  # fmt: skip


AGENT_OR_OPERATOR = {
    "Query": {"tickets"},
    "Mutation": {"ticketUpdateStatus"},
}  # fmt: skip
AGENT_ONLY = {
    "Query": {"agentQueue"},
    "Mutation": {"chatAccept", "chatTransfer"},
}  # fmt: skip


def declared_roles() -> dict[tuple[str, str], set[StaffRole]]:
    """(type, field) -> the staff roles its permission classes demand, for every field that
    declares any."""
    schema = build_schema(include_dev=True)._schema
    found: dict[tuple[str, str], set[StaffRole]] = {}
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            classes = getattr(definition, "permission_classes", None) or []
            roles = {
                role for cls in classes if issubclass(cls, StaffPermission) for role in cls.roles
            }
            if roles:
                found[(type_name, field_name)] = roles
    return found


def expected() -> dict[tuple[str, str], set[StaffRole]]:
    table: dict[tuple[str, str], set[StaffRole]] = {}
    for role, fields in (
        (StaffRole.MARKETING, MARKETING_ONLY),
        (StaffRole.OPERATOR, OPERATOR_ONLY),
        (StaffRole.AGENT, AGENT_ONLY),
    ):
        for type_name, names in fields.items():
            table.update({(type_name, name): {role} for name in names})
    for type_name, names in AGENT_OR_OPERATOR.items():
        table.update({(type_name, n): {StaffRole.AGENT, StaffRole.OPERATOR} for n in names})
    return table


def test_every_staff_only_field_and_mutation_declares_its_role():
    assert declared_roles() == expected()


def test_a_staff_only_field_says_its_role_in_its_description():
    schema = build_schema(include_dev=True)._schema
    missing = [
        f"{type_name}.{field_name}"
        for (type_name, field_name), roles in declared_roles().items()
        for role in roles
        if role.value not in (schema.type_map[type_name].fields[field_name].description or "")
    ]
    assert missing == []


def test_no_resolver_checks_a_staff_role_by_hand():
    root = Path(__file__).resolve().parents[2] / "schema"
    calls = [
        f"{path.relative_to(root.parent)}:{node.lineno}"
        for path in root.rglob("*.py")
        if path.name != "permissions.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "staff_session"
    ]
    assert calls == []
