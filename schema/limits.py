"""What a GraphQL document really costs, measured before graphql-core validates or runs it.

One walk over the document, fragments expanded through a memo (each fragment is measured once,
then its figures are reused wherever it is spread), so a hostile document of nested spreads costs
linear time here however large its expansion is. The figures (depth, aliases, directives, root
mutations, cost) are those of the *expanded* operation; the expansion itself never happens.

Cost, after GitHub's and Shopify's: every field returning an object costs 1; a field taking
`first` or `last` multiplies the cost of what it selects by that number, read from a literal, a
variable (`first: $n` does not escape) or the schema's default; every root mutation field costs
10. `first`/`last` must be a number from 0 to the page cap (never null).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

HUGE = 10**12  # figures saturate here: a 2^40 expansion is refused, never computed as a bignum
MULTIPLIERS = ("first", "last")


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_directives: int = 50
    max_root_mutations: int = 4
    max_cost: int = 1000
    max_page: int = 100
    mutation_cost: int = 10


@dataclass
class Figures:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0

    def add(self, other: Figures, times: int = 1) -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases = min(HUGE, self.aliases + other.aliases * times)
        self.directives = min(HUGE, self.directives + other.directives * times)
        self.cost = min(HUGE, self.cost + other.cost * times)


@dataclass
class Measure:
    """The figures of the operation that will run, and the limits it broke (empty: it may run)."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    mutations: int = 0
    errors: list[GraphQLError] = field(default_factory=list)


def limit_error(message: str, code: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        limits: Limits,
    ) -> None:
        self.schema, self.variables, self.limits = schema, variables, limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Figures] = {}
        self.in_progress: set[str] = set()
        self.page_errors: list[GraphQLError] = []
        self.defaults: dict[str, Any] = {}

    # --- selections ----------------------------------------------------------------------------
    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Figures:
        total = Figures()
        if node is None:
            return total
        for selection in node.selections:
            total.directives = min(HUGE, total.directives + len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total.add(self.selection_set(selection.selection_set, condition))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self.fragment(selection.name.value))
        return total

    def fragment(self, name: str) -> Figures:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return Figures()  # unknown spread or a cycle: graphql-core's validation reports it
        self.in_progress.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        figures = self.selection_set(definition.selection_set, condition)
        figures.directives = min(HUGE, figures.directives + len(definition.directives or ()))
        self.in_progress.discard(name)
        self.memo[name] = figures
        return figures

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Figures:
        definition = self.field_definition(parent, node.name.value)
        child_type = get_named_type(definition.type) if definition else None
        inner = self.selection_set(node.selection_set, child_type)
        here = Figures(
            depth=0
            if node.name.value.startswith("__")
            else inner.depth + (1 if node.selection_set else 0),
            aliases=inner.aliases + (1 if node.alias else 0),
            directives=inner.directives,
        )
        times = self.multiplier(node, definition)
        here.cost = min(HUGE, inner.cost * times)
        if child_type is not None and is_composite_type(child_type):
            here.cost = min(HUGE, here.cost + 1)
        if node.name.value.startswith("__"):
            here.depth = (
                0  # introspection is not counted for depth (GraphiQL's own query nests deep)
            )
        return here

    def field_definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if parent is None:
            return None
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields else None

    def multiplier(self, node: FieldNode, definition: GraphQLField | None) -> int:
        if definition is None:
            return 1
        times = 1
        for name in MULTIPLIERS:
            if name not in definition.args:
                continue
            value = self.argument(node, name, definition.args[name].default_value)
            if value is None:
                self.page_error(f"`{name}` of `{node.name.value}` must be given (0 to the cap).")
                value = self.limits.max_page
            elif not isinstance(value, int) or isinstance(value, bool):
                value = self.limits.max_page  # not a number: coercion refuses it later
            elif not 0 <= value <= self.limits.max_page:
                self.page_error(
                    f"`{name}` of `{node.name.value}` must be between 0 and {self.limits.max_page}."
                )
                value = self.limits.max_page
            times = max(times, value)
        return times

    def argument(self, node: FieldNode, name: str, default: Any) -> Any:
        from graphql.pyutils import Undefined

        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, NullValueNode):
                return None
            if isinstance(value, VariableNode):
                variable = value.name.value
                if variable in self.variables:
                    return self.variables[variable]
                if variable in self.defaults:
                    return self.defaults[variable]
                break  # an unset variable: the argument's default applies
            return "not a number"
        return None if default is Undefined else default

    def page_error(self, message: str) -> None:
        if len(self.page_errors) < 5:
            self.page_errors.append(limit_error(message, "INVALID_ARGUMENT", field="first"))

    # --- operations ----------------------------------------------------------------------------
    def operation(self, operation: OperationDefinitionNode) -> tuple[Figures, int]:
        from graphql import value_from_ast_untyped

        self.defaults = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        self.memo.clear()  # fragment figures depend on the operation's variable defaults
        root = self.schema.get_root_type(operation.operation)
        figures = self.selection_set(operation.selection_set, root)
        figures.directives = min(HUGE, figures.directives + len(operation.directives or ()))
        mutations = 0
        if operation.operation is OperationType.MUTATION:
            mutations = self.root_fields(operation.selection_set, set())
            figures.cost = min(HUGE, figures.cost + mutations * self.limits.mutation_cost)
        return figures, mutations

    def root_fields(self, node: SelectionSetNode, seen: set[str]) -> int:
        count = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                count += 0 if selection.name.value == "__typename" else 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.root_fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if definition is not None and name not in seen:
                    count += self.root_fields(definition.selection_set, seen | {name})
            if count > HUGE:
                return HUGE
        return count


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    limits: Limits,
) -> Measure:
    """Every operation in the document must keep to the limits; the cost reported and capped is
    that of the operation that will run (the named one, or the costliest when none is named)."""
    walker = _Walker(schema, document, variables or {}, limits)
    result = Measure()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen_cost = chosen_mutations = 0
    for operation in operations:
        figures, mutations = walker.operation(operation)
        name = operation.name.value if operation.name else None
        if operation_name is None or name == operation_name:
            chosen_cost = max(chosen_cost, figures.cost)
            chosen_mutations = max(chosen_mutations, mutations)
        result.depth = max(result.depth, figures.depth)
        result.aliases = max(result.aliases, figures.aliases)
        errors = result.errors
        if figures.depth > limits.max_depth:
            errors.append(
                limit_error(
                    f"The query is {figures.depth} levels deep; at most {limits.max_depth} are "
                    "allowed.",
                    "QUERY_TOO_DEEP",
                )
            )
        if figures.aliases > limits.max_aliases:
            errors.append(
                limit_error(
                    f"The query uses {figures.aliases} aliases (fragments expanded); at most "
                    f"{limits.max_aliases} are allowed.",
                    "TOO_MANY_ALIASES",
                )
            )
        if figures.directives > limits.max_directives:
            errors.append(
                limit_error(
                    f"The query uses {figures.directives} directives (fragments expanded); at "
                    f"most {limits.max_directives} are allowed.",
                    "TOO_MANY_DIRECTIVES",
                )
            )
        if mutations > limits.max_root_mutations:
            errors.append(
                limit_error(
                    f"The request runs {mutations} mutations; at most "
                    f"{limits.max_root_mutations} are allowed per request.",
                    "TOO_MANY_MUTATIONS",
                )
            )
    result.cost, result.mutations = chosen_cost, chosen_mutations
    if chosen_cost > limits.max_cost:
        result.errors.append(
            limit_error(
                f"The query costs {chosen_cost} points; at most {limits.max_cost} are allowed. "
                "Ask for smaller pages (`first`) or fewer nested lists.",
                "QUERY_TOO_COSTLY",
                cost=chosen_cost,
                maximumCost=limits.max_cost,
            )
        )
    result.errors[:0] = walker.page_errors
    return result
