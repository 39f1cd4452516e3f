"""The rules of the breaking-change gate, and the changes it finds by them."""

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    level: Level
    says: str


RULES: dict[str, Rule] = {
    "path-removed": Rule("error", "path removed"),
    "operation-removed": Rule("error", "operation removed"),
    "operation-added": Rule("info", "operation added"),
    "webhook-removed": Rule("error", "webhook removed (its subscribers no longer hear of it)"),
    "webhook-added": Rule("info", "webhook added"),
    # Still served: a later major version may remove it.
    "operation-deprecated": Rule("warning", "operation deprecated (a later major version may remove it)"),
    # The SDKs name their functions by operationId and their modules by the first tag.
    "operation-id-changed": Rule("error", "operationId changed (the SDKs' function is renamed)"),
    "operation-tag-changed": Rule("error", "first tag changed (the Python SDK's module moves)"),
    "security-added": Rule("error", "a public operation now requires authentication"),
    "security-alternative-removed": Rule("error", "a way of authenticating is no longer accepted"),
    "parameter-removed": Rule("error", "parameter removed"),
    "required-parameter-added": Rule("error", "required parameter added"),
    "parameter-made-required": Rule("error", "parameter made required"),
    "parameter-style-changed": Rule("error", "parameter serialization changed"),
    "optional-parameter-added": Rule("info", "optional parameter added"),
    "parameter-made-optional": Rule("info", "parameter made optional"),
    "request-body-removed": Rule("error", "request body removed"),
    "request-body-added": Rule("error", "required request body added"),
    "request-body-made-required": Rule("error", "request body made required"),
    "optional-request-body-added": Rule("info", "optional request body added"),
    "request-body-made-optional": Rule("info", "request body made optional"),
    "request-media-type-removed": Rule("error", "request media type removed"),
    "request-field-removed": Rule("error", "request field removed"),
    "required-request-field-added": Rule("error", "required request field added"),
    "request-field-made-required": Rule("error", "request field made required"),
    "optional-request-field-added": Rule("info", "optional request field added"),
    "request-field-made-optional": Rule("info", "request field made optional"),
    "request-constraint-tightened": Rule("error", "request constraint tightened"),
    "request-constraint-loosened": Rule("info", "request constraint loosened"),
    "request-enum-value-removed": Rule("error", "request enum value removed"),
    "request-enum-value-added": Rule("info", "request enum value added"),
    "request-variant-removed": Rule("error", "request variant removed"),
    "type-changed": Rule("error", "type changed"),
    "success-status-removed": Rule("error", "success status removed"),
    "status-added": Rule("info", "response status added"),
    "response-media-type-removed": Rule("error", "response media type removed"),
    "response-header-removed": Rule("error", "response header removed"),
    "response-header-made-optional": Rule("error", "response header made optional"),
    "response-field-removed": Rule("error", "response field removed"),
    "response-field-made-optional": Rule("error", "response field made optional"),
    "response-field-made-nullable": Rule("error", "response field made nullable"),
    "response-field-added": Rule("info", "response field added"),
    "response-enum-value-added": Rule("warning", "response enum value added (a client's exhaustive switch misses it)"),
    "response-variant-added": Rule("warning", "response variant added (a client's exhaustive switch misses it)"),
}


@dataclass(frozen=True)
class Change:
    rule_id: str
    operation: str  # "GET /v1/projects/{projectId}", or a path
    where: str = ""  # "response 200 application/json field items[].title"
    detail: str = ""  # "maxLength 200 → 100"
    # Within a schema of components/schemas, where the change is: "Task field dueDate". Changes to
    # a shared schema are reported once for every operation using it.
    place: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"{self.rule.level} [{self.rule_id}] {self.operation}{where}: {self.says}"

    @property
    def says(self) -> str:
        return f"{self.rule.says} ({self.detail})" if self.detail else self.rule.says
