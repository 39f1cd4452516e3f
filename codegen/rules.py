"""The house rules that `make generate` holds the contract to, and what it reports when one is broken.

Each rule says why it exists in one line; `lacks` marks a rule that exists only because a
generator cannot yet do something, and says what. docs/house-rules.md is written from this table
by `make generate`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    says: str
    why: str
    lacks: str = ""


RULES: dict[str, Rule] = {
    "operation-id": Rule(
        "every operation has an operationId of camelCase letters and digits",
        "the stubs' methods and both SDKs' functions are named by it",
    ),
    "one-tag": Rule(
        "every operation has exactly one tag",
        "the tag names the handlers' interface (`generated/api/<tag>.py`) and the Python SDK's module",
    ),
    "method": Rule(
        "operations are GET, PUT, POST, DELETE or PATCH",
        "HEAD and OPTIONS are answered by the framework for every route, TRACE by none",
    ),
    "request-id": Rule(
        "every operation documents the X-Request-ID request header",
        "the service takes it around every route and echoes it; clients should know they may send it",
    ),
    "security-scheme": Rule(
        "every security scheme an operation names is in components/securitySchemes",
        "the route authenticates by those names",
    ),
    "names": Rule(
        "names that become the same Python name are not allowed together (two parameters of one"
        " operation, two operationIds, two tags)",
        "the stubs and the Python SDK name arguments, methods and modules in snake_case; keywords and"
        " names the stubs use (`from`, `body`, `request`) are renamed with a trailing underscore instead",
    ),
    "schema-name": Rule(
        "schemas are named in PascalCase letters and digits (`DataSetList`)",
        "the models, the stubs and both SDKs name their types by it; another spelling would differ between them",
    ),
    "parameter-location": Rule(
        "parameters are in the path, the query or a header",
        "browsers do not let a page set a Cookie header, so the TypeScript SDK could not send a cookie parameter",
        lacks="cookie parameters for clients other than browsers",
    ),
    "parameter-type": Rule(
        "a parameter is a plain integer, string or boolean, or (in the query) an array of one",
        "each is parsed and validated from text alone; an object needs `style: deepObject`, which the"
        " Python SDK's generator cannot send",
        lacks="object parameters (`deepObject`), arrays in paths and headers",
    ),
    "parameter-style": Rule(
        "a query array is `style: form`, exploded (`?a=1&a=2`, the default)",
        "openapi-python-client and openapi-fetch send every query array so, whatever the contract says",
        lacks="`explode: false` (`?a=1,2`), `spaceDelimited`, `pipeDelimited` and `deepObject` in the SDKs",
    ),
    "bounded-integer": Rule(
        "an integer parameter has a minimum and a maximum",
        "an unbounded one reaches the database and overflows its column",
    ),
    "body-media-type": Rule(
        "a request body is application/json or multipart/form-data, one of them",
        "the routes parse and validate those; one media type keeps each SDK's call to one shape",
        lacks="`application/octet-stream` and `application/x-www-form-urlencoded` bodies",
    ),
    "form-parts": Rule(
        "a multipart/form-data body's schema names its parts: files (`type: string, format: binary`),"
        " one required at least, and fields of plain integers, strings or booleans",
        "each field is read from its text as a query parameter is; the TypeScript SDK sends a body with a"
        " file in it as a form, any other as JSON",
        lacks="forms without a required file, arrays and objects in forms",
    ),
    "body-required": Rule(
        "a request body is required",
        "an optional body would make every field of it optional a second time",
    ),
    "named-schema": Rule(
        "request and response bodies refer to a schema named in components/schemas",
        "the stubs, the models and both SDKs name their types by it",
        lacks="names for inline schemas",
    ),
    "status-codes": Rule(
        "responses have explicit status codes (no `default`, no `2XX`)",
        "the SDKs type each status's body, and fuzzing checks every answer against its status",
    ),
    "success": Rule("an operation has a 2xx response", "the stubs return its body"),
    "every-answer-headers": Rule(
        "every response documents Cache-Control, X-Content-Type-Options and X-Request-ID",
        "the service sets them on every answer, whatever produced it",
    ),
    "success-bodies": Rule(
        "the 2xx responses of an operation are all JSON, all without a body, one event stream, or"
        " files (any media type but JSON)",
        "the route sends one kind of answer",
    ),
    "download-disposition": Rule(
        "a file download documents Content-Disposition",
        "the route names the file in it",
    ),
    "redirects": Rule(
        "304 is the only 3xx response, with an If-None-Match parameter and a required ETag",
        "the route answers 304 itself when If-None-Match names the ETag the handler returns",
    ),
    "problem-errors": Rule(
        "every 4xx and 5xx response is application/problem+json only",
        "every error is an RFC 9457 problem, which both SDKs parse",
    ),
    "body-errors": Rule(
        "an operation with a body documents 400, 408, 413, 415 and 422",
        "the route answers them itself: malformed JSON, a body too slow, too large, not JSON, not the schema",
    ),
    "parameter-errors": Rule(
        "every operation documents 400, and one with parameters 422",
        "an undefined query parameter is a 400 and a parameter out of its schema a 422, before the handler runs",
    ),
    "authentication-errors": Rule(
        "an operation with security documents 401",
        "the route refuses a missing, wrong or expired credential itself",
    ),
    "precondition": Rule(
        "an operation that requires If-Match documents 428",
        "the route answers 428 to an update without it (RFC 6585)",
    ),
    "rate-limited": Rule(
        "every operation documents 429 with Retry-After, unless it says `x-rate-limited: false`",
        "every operation is counted against the caller's rate limit unless the contract opts it out",
    ),
    "webhook": Rule(
        "a webhook is one POST with an operationId, a required application/json body of a named schema"
        " and the 2xx its receiver answers",
        "the generated sender (`generated/webhooks.py`) has one typed method per webhook, and the gate"
        " compares its payload as an answer its receivers read",
    ),
    "ref": Rule("every `$ref` is local and not circular", "the generators read one file"),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str  # the operation, or the part of the contract
    message: str
    pointer: str  # a JSON pointer into the contract

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.rule}] at #{self.pointer}"


class ContractError(Exception):
    """The contract breaks house rules: every finding, each naming its operation and place."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(map(str, findings)))
        self.findings = findings


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) to the contract's node at `parts`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def document() -> str:
    """docs/house-rules.md."""
    lines = [
        "# House rules of the contract",
        "",
        "<!-- Written by `make generate` from codegen/rules.py. Do not edit. -->",
        "",
        "`make generate` holds `openapi.yaml` to these rules and reports every rule broken in one run,",
        "each with its operation and a JSON pointer into the contract:",
        "",
        "```text",
        "getUser (GET /v1/users/{userId}): integer parameter userId needs a minimum and a maximum"
        " [bounded-integer] at #/paths/~1v1~1users~1{userId}/get/parameters/0",
        "```",
        "",
        "| Rule | The contract says | Why | Until the generators can do |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{name}` | {rule.says} | {rule.why} | {rule.lacks} |" for name, rule in RULES.items()]
    return "\n".join(lines) + "\n"
