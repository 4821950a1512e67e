"""Enum members serialise to their GraphQL names through the indexed lookup, and anything else
is refused as Strawberry refuses it."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from schema.root import build_schema


def test_every_enum_member_serialises_to_its_name_and_strangers_are_refused() -> None:
    schema = build_schema(include_dev=True)
    enums = [t for t in schema._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]
    assert len(enums) > 10
    for enum_type in enums:
        for name, value in enum_type.values.items():
            member = enum_type.wrapped_cls(value.value)
            assert enum_type.coerce_output_value(member) == name
            assert enum_type.coerce_output_value(value.value) == name
        with pytest.raises((GraphQLError, ValueError, TypeError)):
            enum_type.coerce_output_value("NOT A VALUE OF ANY ENUM")
        with pytest.raises((GraphQLError, ValueError, TypeError)):
            enum_type.coerce_output_value(["unhashable"])
