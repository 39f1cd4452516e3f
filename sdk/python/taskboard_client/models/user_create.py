from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """
    Attributes:
        email (str): An email address in RFC 5321 syntax, ASCII only: a dot-atom local part of at most 64
            characters, `@`, and a domain of two or more labels of at most 63 characters each. Reserved
            names such as `example.test` are accepted: Taskboard sends no mail.
        password (str):
        display_name (str): A name to show to other users; no control or bidirectional-override characters.
    """

    email: str
    password: str
    display_name: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        display_name = self.display_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "displayName": display_name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        display_name = d.pop("displayName")

        user_create = cls(
            email=email,
            password=password,
            display_name=display_name,
        )

        return user_create
