from enum import StrEnum


class MemberRemovedEventEvent(StrEnum):
    MEMBER_REMOVED = "member.removed"

    def __str__(self) -> str:
        return str(self.value)
