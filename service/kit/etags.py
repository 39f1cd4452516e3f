"""Strong entity tags from row versions, and the If-Match precondition."""

from generated.runtime import entity_tags
from service.kit.problems import BadRequest, PreconditionFailed

STALE = "The resource has changed since you read it: fetch it again, then retry with its new ETag."


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str, version: int) -> None:
    """RFC 9110 13.1.1: strong comparison against a list of tags, or `*` for any current one."""
    tags = entity_tags(if_match)
    if tags is None:
        raise BadRequest('If-Match must be * or a list of entity tags, such as "3" (with its quotes).')
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed(STALE)
