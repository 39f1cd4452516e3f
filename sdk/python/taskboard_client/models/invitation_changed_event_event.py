from enum import StrEnum


class InvitationChangedEventEvent(StrEnum):
    INVITATION_CREATED = "invitation.created"
    INVITATION_UPDATED = "invitation.updated"

    def __str__(self) -> str:
        return str(self.value)
