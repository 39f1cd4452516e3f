from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invitation_changed_event_event import InvitationChangedEventEvent

T = TypeVar("T", bound="InvitationChangedEvent")


@_attrs_define
class InvitationChangedEvent:
    """`invitation.updated`: the invitation was accepted, declined or revoked (its `status`).

    Attributes:
        id (str): Resume after this event with `Last-Event-ID`.
        event (InvitationChangedEventEvent):
        data (str):
    """

    id: str
    event: InvitationChangedEventEvent
    data: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event = self.event.value

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        event = InvitationChangedEventEvent(d.pop("event"))

        data = d.pop("data")

        invitation_changed_event = cls(
            id=id,
            event=event,
            data=data,
        )

        invitation_changed_event.additional_properties = d
        return invitation_changed_event

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
