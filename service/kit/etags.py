"""Strong entity tags from row versions, and the If-Match precondition."""

from generated.runtime import entity_tags
from service.kit.problems import PreconditionFailed, PreconditionRequired

STALE = "The resource has changed since you read it: fetch it again, then retry with its new ETag."


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """RFC 9110 13.1.1: strong comparison against a list of tags, or `*` for any current one."""
    if if_match is None:
        raise PreconditionRequired("This update needs an If-Match header with the resource's current ETag.")
    tags = entity_tags(if_match) or []
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed(STALE)
