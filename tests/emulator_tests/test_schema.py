"""The schema check catches what breaks DR's OpenAPI document, and the trimmed fixture is what
scripts/trim_dr_openapi.py makes of DR's document."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.emulator.schema import FIXTURE, OpenApiSchema, default_schema

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = {
    "id": "531718920336",
    "createdTime": "2021-04-12T20:40:26Z",
    "email": "jdoe@example.com",
    "defaultSourceId": "5349c370-6694-45ff-915a-882e9b62b48d",
    "enabled": True,
    "requestToBeForgotten": False,
    "locale": "en_US",
    "type": "individual",
    "liveMode": False,
}


@pytest.fixture(scope="module")
def schema() -> OpenApiSchema:
    return default_schema()


def load_trim_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "trim_dr_openapi", REPO / "scripts" / "trim_dr_openapi.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- requests


def test_a_valid_create_request_passes(schema):
    body = {"id": "c1", "email": "a@example.com", "shipping": {"address": {"country": "US"}}}
    assert schema.validate_request("POST", "/customers", body=body) == []
    assert schema.validate_request("POST", "/customers") == []  # DR allows an empty body


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"email": 42}, "at email: 42 is not of type 'string'"),
        ({"enabled": "true"}, "at enabled: 'true' is not of type 'boolean'"),
        ({"type": "person"}, "at type: 'person' is not one of"),
        ({"email": "nobody"}, "at email: 'nobody' is not a 'email'"),
        ({"shipping": {"address": {"city": "X"}}}, "'country' is a required property"),
        ({"shipping": {"name": 5, "address": {"country": "US"}}}, "at shipping.name: 5 is not"),
        ({"shipping": {"address": {"line2": None, "country": "US"}}}, "at shipping.address.line2"),
        ({"requestToBeForgotten": True}, "'requestToBeForgotten' is not a declared property"),
        ({"metadata": "coupon"}, "at metadata: 'coupon' is not of type 'object'"),
        ({"taxCertificate": {"companyName": "A"}}, "'fileId' is a required property"),
        (
            {
                "taxCertificate": dict.fromkeys(("companyName", "taxAuthority", "fileId"), "x")
                | {"startDate": "2021-04-07", "endDate": "2021-04-07T00:00:00Z"}
            },
            "at taxCertificate.startDate: '2021-04-07' is not a 'date-time'",
        ),
        ([], "is not of type 'object'"),
    ],
)
def test_request_body_problems_are_reported(schema, body, fragment):
    violations = schema.validate_request("POST", "/customers", body=body)
    assert any(fragment in v for v in violations), violations


def test_update_has_its_own_schema(schema):
    assert (
        schema.validate_request("POST", "/customers/c1", body={"requestToBeForgotten": True}) == []
    )
    violations = schema.validate_request("POST", "/customers/c1", body={"id": "c1"})
    assert violations == ["POST /customers/c1: request body: 'id' is not a declared property"]


def test_undeclared_request_properties_pass_when_not_strict():
    lenient = OpenApiSchema.load(strict_request_properties=False)
    assert lenient.validate_request("POST", "/customers", body={"whatever": 1}) == []
    assert lenient.validate_request("POST", "/customers", body={"email": 1}) != []


def test_content_type_and_bodies_where_none_is_declared(schema):
    assert schema.validate_request("POST", "/customers", body={}, content_type=None) == [
        "POST /customers: request body: content type None is not declared "
        "(declared: application/json)"
    ]
    assert (
        schema.validate_request(
            "POST", "/customers", body={}, content_type="application/json; charset=utf-8"
        )
        == []
    )
    assert schema.validate_request("POST", "/customers/c1/sources/x", body={}) != []
    form = {"purpose": "tax_document_customer_upload", "file": "<binary>"}
    assert (
        schema.validate_request("POST", "/files", body=form, content_type="multipart/form-data")
        == []
    )
    assert schema.validate_request(
        "POST", "/files", body={"file": "x"}, content_type="multipart/form-data; boundary=b"
    ) == ["POST /files: request body: 'purpose' is a required property"]


def test_paths_and_methods_are_matched_against_the_templates(schema):
    source = "5349c370-6694-45ff-915a-882e9b62b48d"
    assert schema.operation("POST", f"/customers/c%201/sources/{source}").path_params == {
        "id": "c 1",
        "sourceId": source,
    }
    assert schema.operation("GET", "/files/f1/content").operation_id == "downloadFiles"
    assert schema.validate_request("POST", f"/customers/c1/sources/{source}") == []
    assert schema.validate_request("POST", "/customers/c1/sources/card-1") == [
        "POST /customers/c1/sources/card-1: path 'sourceId': 'card-1' is not a 'uuid'"
    ]
    assert schema.validate_request("PATCH", "/customers/c1") == [
        "PATCH /customers/c1: operation: PATCH /customers/{id} is not declared "
        "(allowed: GET, POST, DELETE)"
    ]
    assert schema.validate_request("GET", "/customers/c1/orders") == [
        "GET /customers/c1/orders: operation: no path in the document matches /customers/c1/orders"
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "limit=1",
        "limit=100&startingAfter=abc",
        "ids=a,b,c&email=a%40example.com&requestToBeForgotten=false",
        "createdTime%5Bgt%5D=2020-09-22T12:09:44Z&createdTime%5Blte%5D=2021-01-01T00:00:00Z",
        "createdTime=2020-09-22T12:09:44Z",
        "updatedTime[eq]=2020-09-22T12:09:44.123Z",
    ],
)
def test_valid_list_queries_pass(schema, query):
    assert schema.validate_request("GET", "/customers", query=query) == []


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("limit=0", "query 'limit': 0 is less than the minimum of 1"),
        ("limit=101", "query 'limit': 101 is greater than the maximum of 100"),
        ("limit=ten", "query 'limit': 'ten' is not an integer"),
        ("limit=1&limit=2", "query 'limit': is given 2 times"),
        ("requestToBeForgotten=yes", "'yes' is not true or false"),
        (
            "createdTime[after]=2020-09-22T12:09:44Z",
            "query 'createdTime[after]': is not one of eq, gt, gte, lt, lte",
        ),
        ("createdTime[gt]=yesterday", "query 'createdTime[gt]': 'yesterday' is not a 'date-time'"),
        ("createdTime=2020-09-22", "'2020-09-22' is not a 'date-time'"),
        ("page=2", "query 'page': is not a declared query parameter"),
        ("ids=a&ids=b", "send one comma list"),
    ],
)
def test_bad_list_queries_are_reported(schema, query, fragment):
    violations = schema.validate_request("GET", "/customers", query=query)
    assert any(fragment in v for v in violations), violations


def test_queries_may_be_given_as_mappings(schema):
    assert schema.validate_request("GET", "/customers", query={"limit": ["5"], "ids": "a,b"}) == []
    assert schema.validate_request("GET", "/customers", query={"limit": 500}) != []


# --------------------------------------------------------------------------- responses


def test_a_valid_customer_response_passes(schema):
    assert schema.validate_response("GET", "/customers/c1", 200, body=CUSTOMER) == []
    # DR may add fields; a response may carry undeclared ones
    assert schema.validate_response("GET", "/customers/c1", 200, body=CUSTOMER | {"new": 1}) == []
    # enabled is nullable in the response
    assert (
        schema.validate_response("GET", "/customers/c1", 200, body=CUSTOMER | {"enabled": None})
        == []
    )
    listing = {"hasMore": False, "data": [CUSTOMER]}
    assert schema.validate_response("GET", "/customers", 200, body=listing) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"id": 531718920336}, "at id: 531718920336 is not of type 'string'"),
        (
            {"createdTime": "2021-04-12 20:40"},
            "at createdTime: '2021-04-12 20:40' is not a 'date-time'",
        ),
        ({"defaultSourceId": "card-1"}, "at defaultSourceId: 'card-1' is not a 'uuid'"),
        ({"requestToBeForgotten": None}, "at requestToBeForgotten: None is not of type 'boolean'"),
        ({"type": "company"}, "at type: 'company' is not one of"),
        ({"sources": [{"state": "gone"}]}, "at sources[0].state: 'gone' is not one of"),
        ({"sources": [{"creditCard": {"expirationMonth": 7.5}}]}, "is not a 'integer'"),
        ({"metadata": []}, "at metadata: [] is not of type 'object'"),
    ],
)
def test_response_body_problems_are_reported(schema, change, fragment):
    violations = schema.validate_response("GET", "/customers/c1", 200, body=CUSTOMER | change)
    assert any(fragment in v for v in violations), violations


def test_statuses_and_empty_bodies_are_checked(schema):
    errors = {"type": "not_found", "errors": [{"code": "not_found", "message": "x"}]}
    assert schema.validate_response("GET", "/customers/c1", 404, body=errors) == []
    assert schema.validate_response("GET", "/customers", 404, body=errors) == [
        "GET /customers -> 404: response 404: status 404 is not declared for GET /customers "
        "(declared: 200, 400, 401, 403, 405, 406, 408, 429, 500, 502, 503, 504)"
    ]
    assert (
        schema.validate_response(
            "GET", "/customers", 404, body=errors, allow_undeclared_status=True
        )
        == []
    )
    assert schema.validate_response("GET", "/customers", 400, body={"type": "oops"}) != []
    assert schema.validate_response("DELETE", "/customers/c1", 204) == []
    assert schema.validate_response("DELETE", "/customers/c1", 204, body=b"{}") == [
        "DELETE /customers/c1 -> 204: response 204 body: must be empty"
    ]
    assert schema.validate_response("GET", "/customers/c1", 200) == [
        "GET /customers/c1 -> 200: response 200 body: is missing"
    ]
    assert (
        schema.validate_response("GET", "/customers/c1", 200, body=b"x", content_type="text/html")
        != []
    )


def test_known_gaps_of_the_file_download(schema):
    pdf = schema.validate_response(
        "GET", "/files/f1/content", 200, body=b"%PDF", content_type="application/pdf"
    )
    assert pdf == []
    unauthorized = {"type": "unauthorized", "errors": [{"message": "x"}]}
    assert schema.validate_response("GET", "/files/f1/content", 401, body=unauthorized) == []
    assert schema.validate_response("GET", "/files/f1/content", 409, body=unauthorized) != []


def test_read_only_write_only_and_nullable_refs():
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        }
                    },
                    "responses": {
                        "201": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["id", "secret"],
                    "properties": {
                        "id": {"type": "string", "readOnly": True},
                        "secret": {"type": "string", "writeOnly": True},
                        "part": {"$ref": "#/components/schemas/Part"},
                        "kind": {"type": "string", "enum": ["a"], "nullable": True},
                    },
                },
                "Part": {
                    "type": "object",
                    "readOnly": True,
                    "properties": {"x": {"type": "integer"}},
                },
            }
        },
    }
    schema = OpenApiSchema(document)
    assert schema.validate_request("POST", "/things", body={"secret": "s", "kind": None}) == []
    assert schema.validate_request(
        "POST", "/things", body={"secret": "s", "id": "1", "part": {}}
    ) == [
        "POST /things: request body at id: is read-only and must not be sent in a request",
        "POST /things: request body at part: is read-only and must not be sent in a request",
    ]
    assert (
        schema.validate_response("POST", "/things", 201, body={"id": "1", "part": {"x": 1}}) == []
    )
    assert schema.validate_response("POST", "/things", 201, body={"id": "1", "secret": "s"}) == [
        "POST /things -> 201: response 201 body at secret: "
        "is write-only and must not appear in a response"
    ]
    assert schema.validate_request("POST", "/things", body={"secret": "s", "kind": "b"}) != []


# --------------------------------------------------------------------------- fixture, script

KEPT = {
    "/customers",
    "/customers/{id}",
    "/customers/{id}/sources/{sourceId}",
    "/customers/{id}/tax-identifiers/{taxId}",
    "/sources",
    "/sources/{id}",
    "/tax-identifiers",
    "/tax-identifiers/{id}",
    "/files",
    "/files/{id}",
    "/files/{id}/content",
}


def test_the_fixture_holds_the_customer_family_without_prose():
    text = FIXTURE.read_text(encoding="utf-8")
    document = json.loads(text)
    assert set(document["paths"]) == KEPT
    assert set(document["components"]["securitySchemes"]) == {"apiKey", "basicAuth", "bearerAuth"}
    assert document["openapi"] == "3.0.1"
    schemas = document["components"]["schemas"]
    for required in ("Customer", "CustomerRequest", "UpdateCustomerRequest", "Errors", "Source"):
        assert required in schemas
    assert "Checkout" not in schemas and "Order" not in schemas

    refs: set[str] = set()

    def walk(node: Any, in_names: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not in_names:
                    assert key not in ("description", "summary", "example", "examples"), key
                if key == "$ref":
                    refs.add(value)
                walk(value, in_names=not in_names and key in ("properties", "paths", "responses"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    assert {ref.removeprefix("#/components/schemas/") for ref in refs} == set(schemas)
    # deterministic: re-rendering gives the same bytes
    assert load_trim_script().render(document) == text


def test_the_trim_script_keeps_names_and_drops_prose_and_unreached_schemas(tmp_path):
    trim = load_trim_script()
    paths = {
        path: {
            "get": {
                "summary": "s",
                "description": "d",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/A"},
                                "example": {"x": 1},
                            }
                        },
                    }
                },
            }
        }
        for path in trim.KEPT_PATHS
    }
    paths["/checkouts"] = {"get": {"responses": {"200": {"$ref": "#/components/schemas/Z"}}}}
    document = {
        "openapi": "3.0.1",
        "info": {"title": "DR", "version": "1", "description": "long intro"},
        "paths": paths,
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "description": "an A",
                    "properties": {
                        "description": {"type": "string", "description": "named description"},
                        "example": {"type": "string", "example": "e"},
                        "b": {"$ref": "#/components/schemas/B"},
                    },
                },
                "B": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/C"}}},
                "C": {"type": "string", "example": "c"},
                "Z": {"type": "string"},
            },
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "x"}
            },
        },
    }
    source = tmp_path / "dr.json"
    source.write_text(json.dumps(document))
    output = tmp_path / "out.json"
    assert trim.main([str(source), "--output", str(output)]) == 0
    trimmed = json.loads(output.read_text())
    assert set(trimmed["paths"]) == set(trim.KEPT_PATHS)
    assert set(trimmed["components"]["schemas"]) == {"A", "B", "C"}
    assert trimmed["components"]["schemas"]["A"] == {
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "example": {"type": "string"},
            "b": {"$ref": "#/components/schemas/B"},
        },
    }
    assert trimmed["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer"}
    }
    assert trimmed["info"] == {"title": "DR", "version": "1"}
    operation = trimmed["paths"]["/customers"]["get"]
    assert operation == {
        "responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}
        }
    }
    assert trim.main([str(source), "--output", str(output), "--check"]) == 0
    output.write_text(output.read_text() + " ")
    assert trim.main([str(source), "--output", str(output), "--check"]) == 1

    del document["paths"]["/files"]
    source.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="/files"):
        trim.main([str(source), "--output", str(output)])
