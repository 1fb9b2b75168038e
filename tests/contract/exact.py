"""The schema is exact: an answer carries only documented fields and every required one, at
every level (objects, and the items of arrays). Used by tests that get a real 200 answer,
which the generated contract test rarely reaches for writes and detail routes."""

from __future__ import annotations

from typing import Any


def _resolve(schema: dict, node: dict) -> dict:
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif len(node.get("allOf", ())) == 1:  # a nullable reference
            node = node["allOf"][0]
        else:
            return node


def response_schema(schema: dict, path: str, method: str, status: str = "200") -> dict:
    answer = schema["paths"][path][method]["responses"][status]
    return _resolve(schema, answer["content"]["application/json"]["schema"])


def assert_exact(schema: dict, node: dict, body: Any, where: str = "answer") -> None:
    """`body` has only properties `node` documents and every one it marks required,
    recursively (objects, and a few items of each array)."""
    node = _resolve(schema, node)
    if isinstance(body, dict) and "properties" in node:
        documented, answered = set(node["properties"]), set(body)
        required = set(node.get("required", ()))
        assert answered <= documented and required <= answered, (
            f"{where}: undocumented {sorted(answered - documented)}, "
            f"required but missing {sorted(required - answered)}"
        )
        for key, value in body.items():
            assert_exact(schema, node["properties"][key], value, f"{where}.{key}")
    elif isinstance(body, list) and "items" in node:
        for index, item in enumerate(body[:3]):
            assert_exact(schema, node["items"], item, f"{where}[{index}]")
