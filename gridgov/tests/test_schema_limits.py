"""Every text a request may carry has a limit in the API schema: a length no greater than the
column it is stored in, or a list of choices. PostgreSQL refuses an over-long value where SQLite
stored it, so without the limit the same request is a 201 on one database and a 500 on the other;
with it, both answer 422 before anything is written."""

from gridgov.api import api

# Values whose parser bounds them (a UUID is 36 characters or refused with 422).
UNBOUNDED_FORMATS = {"date", "date-time", "binary", "time", "uuid"}


def _strings_without_limit(schema: dict, components: dict, where: str, seen=()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from _strings_without_limit(components[name], components, where, (*seen, name))
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _strings_without_limit(part, components, where, seen)
    if schema.get("type") == "string" and not (
        "maxLength" in schema or "enum" in schema or schema.get("format") in UNBOUNDED_FORMATS
    ):
        yield where
    for name, prop in schema.get("properties", {}).items():
        yield from _strings_without_limit(prop, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _strings_without_limit(schema["items"], components, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _strings_without_limit(schema["additionalProperties"], components, where, seen)


def test_every_request_string_has_a_length_or_choices():
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    unbounded = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    continue  # looked up, never stored
                where = f"{label} {parameter['in']}:{parameter['name']}"
                unbounded += _strings_without_limit(parameter["schema"], components, where)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _strings_without_limit(content["schema"], components, f"{label} body")
    assert unbounded == [], "\n".join(unbounded)
