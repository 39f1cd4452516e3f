from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invitation_status import InvitationStatus

T = TypeVar("T", bound="Invitation")


@_attrs_define
class Invitation:
    """An invitation of the user `userId` to a project, made by its owner `invitedBy`.

    Attributes:
        id (int):
        project_id (int):
        project_name (str):
        user_id (int):
        invited_by (int):
        status (InvitationStatus): `pending` until the invitee accepts or declines it, or the owner revokes it.
        created_at (datetime.datetime):
        answered_at (datetime.datetime | None): When it was accepted, declined or revoked; `null` while pending.
    """

    id: int
    project_id: int
    project_name: str
    user_id: int
    invited_by: int
    status: InvitationStatus
    created_at: datetime.datetime
    answered_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        project_id = self.project_id

        project_name = self.project_name

        user_id = self.user_id

        invited_by = self.invited_by

        status = self.status.value

        created_at = self.created_at.isoformat()

        answered_at: None | str
        if isinstance(self.answered_at, datetime.datetime):
            answered_at = self.answered_at.isoformat()
        else:
            answered_at = self.answered_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "projectId": project_id,
                "projectName": project_name,
                "userId": user_id,
                "invitedBy": invited_by,
                "status": status,
                "createdAt": created_at,
                "answeredAt": answered_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        project_id = d.pop("projectId")

        project_name = d.pop("projectName")

        user_id = d.pop("userId")

        invited_by = d.pop("invitedBy")

        status = InvitationStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_answered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                answered_at_type_0 = datetime.datetime.fromisoformat(data)

                return answered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        answered_at = _parse_answered_at(d.pop("answeredAt"))

        invitation = cls(
            id=id,
            project_id=project_id,
            project_name=project_name,
            user_id=user_id,
            invited_by=invited_by,
            status=status,
            created_at=created_at,
            answered_at=answered_at,
        )

        invitation.additional_properties = d
        return invitation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
