"""The schema's shape: master flows are the only entry point, and no internal ID is exposed."""

from __future__ import annotations

import re

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, get_named_type

from graph.schema.root import schema, sdl
from tests.conftest import ROOT

ID_NAME = re.compile(r"^id$|Id$|ID$|Ids$|IDs$")


def _own_types():
    return [t for name, t in schema._schema.type_map.items() if not name.startswith("__")]


def test_query_has_exactly_the_two_master_flow_fields():
    query = schema._schema.query_type

    assert set(query.fields) == {"masterFlow", "masterFlows"}
    assert get_named_type(query.fields["masterFlow"].type).name == "MasterFlow"
    assert get_named_type(query.fields["masterFlows"].type).name == "MasterFlowConnection"


def test_subscription_has_exactly_the_master_flow_changed_field():
    subscription = schema._schema.subscription_type

    assert set(subscription.fields) == {"masterFlowChanged"}
    assert list(subscription.fields["masterFlowChanged"].args) == ["flowId"]
    assert get_named_type(subscription.fields["masterFlowChanged"].type).name == "MasterFlow"


def test_there_is_no_mutation_no_node_interface_and_no_node_field():
    assert schema._schema.mutation_type is None
    assert "Node" not in schema._schema.type_map
    assert all(name != "node" for name in schema._schema.query_type.fields)


def test_the_master_flow_id_is_the_only_id_field_or_argument_anywhere():
    id_like = []
    for named in _own_types():
        if isinstance(named, (GraphQLObjectType, GraphQLInputObjectType)):
            for field_name, field in named.fields.items():
                if ID_NAME.search(field_name) or get_named_type(field.type).name in ("ID", "UUID"):
                    id_like.append(f"{named.name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if ID_NAME.search(arg_name) or get_named_type(arg.type).name in ("ID", "UUID"):
                        id_like.append(f"{named.name}.{field_name}({arg_name})")

    assert sorted(id_like) == ["MasterFlow.flowId", "Query.masterFlow(flowId)", "Subscription.masterFlowChanged(flowId)"]


def test_discovery_flows_data_imports_and_records_carry_no_id_field():
    for name in ("DiscoveryFlow", "DataImport", "RawImportRecord"):
        fields = schema._schema.type_map[name].fields
        assert [f for f in fields if ID_NAME.search(f)] == [], name


def test_every_type_field_and_argument_has_a_description():
    missing = []
    for named in _own_types():
        if named.name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not named.description:
            missing.append(named.name)
        if isinstance(named, (GraphQLObjectType, GraphQLInputObjectType)):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{named.name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{named.name}.{field_name}({arg_name})")

    assert missing == []


def test_every_enum_but_phases_has_an_unknown_fallback():
    enums = [t for t in _own_types() if isinstance(t, GraphQLEnumType) and not t.name.startswith("__")]
    without_fallback = sorted(t.name for t in enums if "UNKNOWN" not in t.values)

    assert without_fallback == ["DiscoveryPhase", "MasterFlowOrderField", "OrderDirection"]


def test_the_committed_schema_graphql_matches_the_code():
    assert (ROOT / "schema.graphql").read_text() == sdl()


async def test_introspection_over_http_lists_only_the_two_query_fields_and_the_one_subscription(graphql, tenant):
    data = await graphql.data(
        "{ __schema { queryType { fields { name } } mutationType { name } subscriptionType { name fields { name } } } }", tenant
    )

    assert data == {
        "__schema": {
            "queryType": {"fields": [{"name": "masterFlow"}, {"name": "masterFlows"}]},
            "mutationType": None,
            "subscriptionType": {"name": "Subscription", "fields": [{"name": "masterFlowChanged"}]},
        }
    }
