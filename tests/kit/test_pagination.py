import pytest

from service.kit.pagination import Cursors
from service.kit.problems import BadRequest

OLD, NEW = "an old key of 16+ characters", "a new key of 16+ characters"


def test_cursors_are_signed_with_the_first_key_and_read_with_any() -> None:
    before, during, after = Cursors(OLD), Cursors(NEW, OLD), Cursors(NEW)
    signed_before = before.encode("tasks:1", [7, "2026-01-01"])
    assert during.decode("tasks:1", signed_before) == [7, "2026-01-01"]  # a rotation refuses none
    signed_during = during.encode("tasks:1", [8])
    assert after.decode("tasks:1", signed_during) == [8]  # the new key signs from the start
    with pytest.raises(BadRequest):
        after.decode("tasks:1", signed_before)  # the old key, removed, verifies no more
    with pytest.raises(BadRequest):
        during.decode("tasks:2", signed_during)  # another list's
