"""OpenAPI 3 documents derived, at test time, from the platforms' official definitions.

Google publishes a Discovery document and Meta the facebook-business-sdk-codegen node
specs; neither is OpenAPI, so Prism cannot serve them as they are. These functions read
them from ``../shared/specs`` (never copied into the project) and build an OpenAPI
document for exactly the calls our connectors make: the paths, the parameters (required
ones required), the response schemas and enums come from the official files; only the
response examples Prism answers with are the test's own.

Query parameters are one exploded ``form`` object. Prism reads only the keys such an
object names and ignores the rest, so ``additionalProperties: false`` alone does not make
it reject a stray parameter; instead every query name known anywhere in the served API
(another call's parameter, a method of the same resource) is named on each call that does
not define it, with a schema no value satisfies (``not: {}``). Prism then rejects, with
422, a parameter borrowed from a sibling call (``business`` on ``DELETE
assigned_users``), as well as a missing required one. A name no call of the API knows
is not caught by Prism.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT.parent / "shared" / "specs"
GOOGLE_DISCOVERY = SPECS / "google-mybusinessaccountmanagement-v1.discovery.json"
META_SPECS = SPECS / "meta-graph"

#: The Google methods ``connectors/google_business_profile.py`` calls.
GOOGLE_METHODS = (
    "accounts.get",
    "accounts.admins.list",
    "accounts.admins.delete",
    "locations.admins.list",
    "locations.admins.delete",
)

#: (node spec file, edge or None for the node itself, method) of each Graph call
#: ``connectors/meta.py`` makes, and the OpenAPI path template it is served under. The
#: lock-out scan (``MetaConnector.lockout``) reads the Business node and its
#: ``business_users`` edge with more ``fields`` (``two_factor_type``; ``two_fac_status``,
#: ``pending_email``): the same calls, whose ``fields`` pattern names every node field.
META_CALLS: tuple[tuple[str, str | None, str, str], ...] = (
    ("Business", None, "GET", "/{id}"),
    ("BusinessUser", None, "DELETE", "/{id}"),
    ("Business", "business_users", "GET", "/{business-id}/business_users"),
    ("Business", "pending_users", "GET", "/{business-id}/pending_users"),
    ("Page", "assigned_users", "GET", "/{asset-id}/assigned_users"),
    ("Page", "assigned_users", "DELETE", "/{asset-id}/assigned_users"),
    ("InstagramBusinessAsset", "assigned_users", "GET", "/{asset-id}/assigned_users"),
    ("InstagramBusinessAsset", "assigned_users", "DELETE", "/{asset-id}/assigned_users"),
    ("AdAccount", "assigned_users", "GET", "/{asset-id}/assigned_users"),
    ("AdAccount", "assigned_users", "DELETE", "/{asset-id}/assigned_users"),
    ("Page", "agencies", "GET", "/{asset-id}/agencies"),
    ("Page", "agencies", "DELETE", "/{asset-id}/agencies"),
    ("InstagramBusinessAsset", "agencies", "GET", "/{asset-id}/agencies"),
    ("InstagramBusinessAsset", "agencies", "DELETE", "/{asset-id}/agencies"),
    ("AdAccount", "agencies", "GET", "/{asset-id}/agencies"),
    ("AdAccount", "agencies", "DELETE", "/{asset-id}/agencies"),
)

#: Parameters every Graph API GET accepts (field selection and cursor paging); they are
#: part of the Graph API itself, not of any node spec.
GRAPH_COMMON_GET = {
    "fields": {"type": "string"},
    "limit": {"type": "integer", "minimum": 1},
    "after": {"type": "string"},
    "before": {"type": "string"},
}
#: Fields the Graph API reference documents on an edge's answer that the codegen node
#: spec of the returned type does not list (``AssignedUser.json`` has no ``tasks``).
EDGE_FIELDS = {"assigned_users": ("tasks", "permitted_tasks")}
#: Fields the node spec types as a plain ``string`` whose values the specs enumerate only
#: on the node's update parameter of the same name (``POST /{business}`` takes
#: ``two_factor_type`` as ``business_two_factor_type``): the answer is typed with that enum.
FIELD_ENUMS = {("Business", "two_factor_type"): "business_two_factor_type"}
#: Graph ids: digits, or ``act_`` and digits for an ad account.
GRAPH_ID = {"type": "string", "pattern": "^(act_)?[0-9]+$"}
_BEARER = {"bearer": {"type": "http", "scheme": "bearer"}}


def _query_object(
    properties: Mapping[str, Any], required: Iterable[str], name: str
) -> dict[str, Any]:
    """One exploded form parameter: every query key is a property, and no others.

    Prism lower-cases the request's query keys before it matches them to the object's
    properties, so the properties are named in lower case (``pageSize`` -> ``pagesize``).
    """
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {k.lower(): v for k, v in properties.items()},
        "additionalProperties": False,
    }
    needed = sorted(k.lower() for k in required)
    if needed:
        schema["required"] = needed
    return {
        "name": name,
        "in": "query",
        "style": "form",
        "explode": True,
        "required": True,  # always present (maybe empty), so Prism always validates it
        "schema": schema,
    }


def forbid_foreign(document: dict[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """Name, on each call, every query key of the API it does not define, as forbidden."""
    operations = [op for item in document["paths"].values() for op in item.values()]
    objects = [p["schema"] for op in operations for p in op["parameters"] if p["in"] == "query"]
    known = {name.lower() for name in extra}.union(
        *(set(schema["properties"]) for schema in objects)
    )
    for schema in objects:
        for name in sorted(known - set(schema["properties"])):
            schema["properties"][name] = {"not": {}}
    return document


def _path_params(path: str, schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": dict(schema)} for n in names]


def _respond(schema: Mapping[str, Any], example: Any | None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": dict(schema)}
    if example is not None:
        media["example"] = example
    return {"200": {"description": "OK", "content": {"application/json": media}}}


# --- Google: Discovery -> OpenAPI -----------------------------------------------------


def _google_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"$ref": f"#/components/schemas/{schema['$ref']}"}
    out: dict[str, Any] = {}
    kind = schema.get("type")
    if kind == "any":
        return {}
    if kind:
        out["type"] = kind
    for key in ("enum", "readOnly"):
        if key in schema:
            out[key] = schema[key]
    if schema.get("format") in ("int32", "int64", "double", "float"):
        out["format"] = schema["format"]
    if "properties" in schema:
        out["properties"] = {k: _google_schema(v) for k, v in schema["properties"].items()}
    if "items" in schema:
        out["items"] = _google_schema(schema["items"])
    if "additionalProperties" in schema:
        out["additionalProperties"] = _google_schema(schema["additionalProperties"])
    return out


def _google_method(discovery: Mapping[str, Any], dotted: str) -> dict[str, Any]:
    *resources, verb = dotted.split(".")
    node: Mapping[str, Any] = discovery
    for resource in resources:
        node = node["resources"][resource]
    method: dict[str, Any] = node["methods"][verb]
    return method


def google_openapi(
    discovery_path: Path = GOOGLE_DISCOVERY, *, examples: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The OpenAPI for ``GOOGLE_METHODS``: flat paths, parameters, schemas and enums.

    ``examples`` maps a method id (``accounts.admins.list``) to the body Prism answers.
    """
    discovery = json.loads(discovery_path.read_text())
    common = {k: _google_schema(v) for k, v in discovery["parameters"].items()}
    paths: dict[str, dict[str, Any]] = {}
    for dotted in GOOGLE_METHODS:
        method = _google_method(discovery, dotted)
        path = "/" + method["flatPath"]
        params = method.get("parameters", {})
        query = {
            **common,
            **{k: _google_schema(v) for k, v in params.items() if v["location"] == "query"},
        }
        required = [k for k, v in params.items() if v["location"] == "query" and v.get("required")]
        operation = {
            "operationId": method["id"],
            "security": [{"bearer": []}],
            "parameters": [
                *_path_params(path, {"type": "string", "pattern": "^[^/]+$"}),
                _query_object(query, required, "query"),
            ],
            "responses": _respond(
                _google_schema(method["response"]), (examples or {}).get(method["id"])
            ),
        }
        paths.setdefault(path, {})[method["httpMethod"].lower()] = operation
    schemas = {k: _google_schema(v) for k, v in discovery["schemas"].items()}
    document = {
        "openapi": "3.0.3",
        "info": {"title": discovery["title"], "version": discovery["revision"]},
        "servers": [{"url": discovery["rootUrl"].rstrip("/")}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _BEARER},
    }
    return forbid_foreign(document, _all_google_query_names(discovery))


def _all_google_query_names(node: Mapping[str, Any]) -> set[str]:
    """Query parameter names of every method in the discovery document."""
    names: set[str] = set()
    for method in node.get("methods", {}).values():
        params = method.get("parameters", {})
        names |= {k for k, v in params.items() if v["location"] == "query"}
    for child in node.get("resources", {}).values():
        names |= _all_google_query_names(child)
    return names


# --- Meta: codegen node specs -> OpenAPI ----------------------------------------------


class _MetaSpecs:
    """The node specs in ``../shared/specs/meta-graph`` and their enums."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.enums = {
            e["name"]: e["values"] for e in json.loads((folder / "enum_types.json").read_text())
        }
        self.nodes: dict[str, dict[str, Any]] = {}

    def node(self, name: str) -> dict[str, Any] | None:
        """A node spec, or None when that node's file is not among the shared specs."""
        if name not in self.nodes:
            path = self.folder / f"{name}.json"
            if not path.exists():
                return None
            self.nodes[name] = json.loads(path.read_text())
        return self.nodes[name]

    def api(self, node: str, edge: str | None, method: str) -> dict[str, Any]:
        """The ``apis`` entry of a call; a call the spec does not define is an error."""
        spec = self.node(node)
        for api in (spec or {}).get("apis", []):
            if api.get("endpoint") == edge and api["method"] == method:
                return dict(api)
        raise LookupError(f"{node}.json defines no {method} {edge or '(node)'}")

    def type_schema(self, kind: str, *, nested: bool = True) -> dict[str, Any]:
        """The JSON schema of a codegen type (scalars, lists, enums, nodes)."""
        if kind.startswith("list<") and kind.endswith(">"):
            return {"type": "array", "items": self.type_schema(kind[5:-1], nested=nested)}
        scalars = {
            "string": {"type": "string"},
            "int": {"type": "integer"},
            "unsigned int": {"type": "integer", "minimum": 0},
            "float": {"type": "number"},
            "bool": {"type": "boolean"},
            "datetime": {"type": "string"},
            "map": {"type": "object"},
            "Object": {"type": "object"},
        }
        if kind in scalars:
            return dict(scalars[kind])
        if kind in self.enums:
            return {"type": "string", "enum": list(self.enums[kind])}
        spec = self.node(kind)
        if spec is not None and nested:
            return self.node_schema(kind)
        # A node whose spec is not among the shared files (or nested nodes): its id.
        return {"type": "object", "properties": {"id": {"type": "string"}}}

    def field_names(self, node: str, extra: Iterable[str] = ()) -> dict[str, Any]:
        """A ``fields`` parameter naming only the node's fields (Graph refuses others),
        or nothing when the node's spec is not among the shared files."""
        spec = self.node(node)
        if spec is None:
            return {}
        names = sorted({f["name"] for f in spec["fields"]} | set(extra))
        one = "(" + "|".join(names) + ")"
        return {"fields": {"type": "string", "pattern": f"^{one}(,{one})*$"}}

    def node_schema(self, node: str) -> dict[str, Any]:
        """A node's fields; nodes inside it shrink to their id (Graph expands them only on request)."""
        spec = self.node(node)
        if spec is None:
            return self.type_schema(node)
        props = {f["name"]: self.type_schema(f["type"], nested=False) for f in spec["fields"]}
        for (owner, field), enum in FIELD_ENUMS.items():
            if owner == node and props.get(field) == {"type": "string"}:
                props[field] = {"type": "string", "enum": list(self.enums[enum])}
        return {"type": "object", "properties": props}


def _graph_param(specs: _MetaSpecs, param: Mapping[str, Any]) -> dict[str, Any]:
    schema = specs.type_schema(param["type"], nested=False)
    if schema.get("type") == "integer":
        # Graph ids are sent as digits in the query string.
        return {"type": "string", "pattern": "^[0-9]+$"}
    return schema


def meta_openapi(
    spec_dir: Path = META_SPECS,
    *,
    version: str = "v25.0",
    examples: Mapping[tuple[str, str], Any] | None = None,
) -> dict[str, Any]:
    """The OpenAPI for ``META_CALLS`` under ``/{version}``.

    Calls served under one path template (``assigned_users`` and ``agencies`` on a
    Page, an Instagram business asset and an ad account) must have the same parameters in every node spec,
    or this fails. ``examples`` maps (method, path template) to the body Prism answers.
    """
    specs = _MetaSpecs(spec_dir)
    paths: dict[str, dict[str, Any]] = {}
    for node, edge, method, template in META_CALLS:
        api = specs.api(node, edge, method)
        params = {p["name"]: _graph_param(specs, p) for p in api.get("params", [])}
        required = {p["name"] for p in api.get("params", []) if p.get("required")}
        if method == "GET":
            fields = specs.field_names(api.get("return") or "", EDGE_FIELDS.get(edge or "", ()))
            params = {**GRAPH_COMMON_GET, **params, **fields}
        returned = api.get("return") or "Object"
        if method == "DELETE":
            response: dict[str, Any] = {
                "type": "object",
                "properties": {"success": {"type": "boolean"}},
            }
        elif edge is None:
            response = specs.node_schema(returned)
        else:
            response = {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": specs.node_schema(returned)},
                    "paging": {"type": "object"},
                },
            }
        path = f"/{version}{template}"
        operation = {
            "operationId": f"{node}.{edge or 'node'}.{method.lower()}",
            "security": [{"bearer": []}],
            "parameters": [
                *_path_params(path, GRAPH_ID),
                _query_object(params, required, "query"),
            ],
            "responses": _respond(response, (examples or {}).get((method, template))),
        }
        existing = paths.setdefault(path, {}).get(method.lower())
        if existing is not None:
            if existing["parameters"] != operation["parameters"]:
                raise ValueError(f"{method} {template} differs between node specs ({node})")
            continue
        paths[path][method.lower()] = operation
    return forbid_foreign(
        {
            "openapi": "3.0.3",
            "info": {
                "title": "Meta Graph API (from facebook-business-sdk-codegen)",
                "version": version,
            },
            "servers": [{"url": "https://graph.facebook.com"}],
            "paths": paths,
            "components": {"securitySchemes": _BEARER},
        }
    )


def write(document: Mapping[str, Any], path: Path) -> Path:
    """Write a derived document for Prism; returns the path."""
    path.write_text(json.dumps(document, indent=1))
    return path
