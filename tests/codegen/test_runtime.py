import pytest

from generated.runtime import entity_tags, etag_matches

# The contract and the code made from it, no database: once.
pytestmark = pytest.mark.once


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ('"1"', ['"1"']),
        ('"1", "2"', ['"1"', '"2"']),
        ('"1","2" , W/"3"', ['"1"', '"2"', 'W/"3"']),
        ('"a,b", "c"', ['"a,b"', '"c"']),
        (', "1",,', ['"1"']),
        ("*", ["*"]),
        (" * ", ["*"]),
        ('"1" "2"', None),
        ("1", None),
        ('"1', None),
        ('"1", *', None),
        ("", []),
    ],
)
def test_entity_tags_parse_as_rfc_9110_lists(value: str, tags: list[str] | None) -> None:
    assert entity_tags(value) == tags


def test_if_none_match_compares_weakly_in_a_list() -> None:
    assert etag_matches('"9", W/"2"', '"2"')
    assert etag_matches("*", '"2"')
    assert not etag_matches('"9", "22"', '"2"')
    assert not etag_matches("garbage", '"2"')
