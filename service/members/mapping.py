"""The API's member, from a membership and the member's display name."""

from generated import models
from service.tables import Membership


def member_model(membership: Membership, display_name: str) -> models.Member:
    return models.Member(
        user_id=membership.user_id,
        display_name=display_name,
        role=models.MemberRole(membership.role),
        added_at=membership.added_at,
    )
