from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """Omitted fields are left unchanged. A new `password` needs the `currentPassword`.

    Attributes:
        display_name (str | Unset): A name to show to other users; no control or bidirectional-override characters.
        password (str | Unset):
        current_password (str | Unset): The password being replaced; required with `password`.
    """

    display_name: str | Unset = UNSET
    password: str | Unset = UNSET
    current_password: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        password = self.password

        current_password = self.current_password

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if display_name is not UNSET:
            field_dict["displayName"] = display_name
        if password is not UNSET:
            field_dict["password"] = password
        if current_password is not UNSET:
            field_dict["currentPassword"] = current_password

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        display_name = d.pop("displayName", UNSET)

        password = d.pop("password", UNSET)

        current_password = d.pop("currentPassword", UNSET)

        user_update = cls(
            display_name=display_name,
            password=password,
            current_password=current_password,
        )

        return user_update
