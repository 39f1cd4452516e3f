from enum import StrEnum


class MemberAddedEventEvent(StrEnum):
    MEMBER_ADDED = "member.added"

    def __str__(self) -> str:
        return str(self.value)
