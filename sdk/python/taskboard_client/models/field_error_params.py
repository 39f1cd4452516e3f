from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FieldErrorParams")


@_attrs_define
class FieldErrorParams:
    """The bound that `code` names, under the keyword's name, as the contract states it.

    Attributes:
        min_length (int | Unset):
        max_length (int | Unset):
        min_items (int | Unset):
        max_items (int | Unset):
        minimum (float | Unset):
        maximum (float | Unset):
        exclusive_minimum (float | Unset):
        exclusive_maximum (float | Unset):
        pattern (str | Unset):
        enum (list[Any] | Unset): The values allowed.
    """

    min_length: int | Unset = UNSET
    max_length: int | Unset = UNSET
    min_items: int | Unset = UNSET
    max_items: int | Unset = UNSET
    minimum: float | Unset = UNSET
    maximum: float | Unset = UNSET
    exclusive_minimum: float | Unset = UNSET
    exclusive_maximum: float | Unset = UNSET
    pattern: str | Unset = UNSET
    enum: list[Any] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_length = self.min_length

        max_length = self.max_length

        min_items = self.min_items

        max_items = self.max_items

        minimum = self.minimum

        maximum = self.maximum

        exclusive_minimum = self.exclusive_minimum

        exclusive_maximum = self.exclusive_maximum

        pattern = self.pattern

        enum: list[Any] | Unset = UNSET
        if not isinstance(self.enum, Unset):
            enum = self.enum

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if min_length is not UNSET:
            field_dict["minLength"] = min_length
        if max_length is not UNSET:
            field_dict["maxLength"] = max_length
        if min_items is not UNSET:
            field_dict["minItems"] = min_items
        if max_items is not UNSET:
            field_dict["maxItems"] = max_items
        if minimum is not UNSET:
            field_dict["minimum"] = minimum
        if maximum is not UNSET:
            field_dict["maximum"] = maximum
        if exclusive_minimum is not UNSET:
            field_dict["exclusiveMinimum"] = exclusive_minimum
        if exclusive_maximum is not UNSET:
            field_dict["exclusiveMaximum"] = exclusive_maximum
        if pattern is not UNSET:
            field_dict["pattern"] = pattern
        if enum is not UNSET:
            field_dict["enum"] = enum

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        min_length = d.pop("minLength", UNSET)

        max_length = d.pop("maxLength", UNSET)

        min_items = d.pop("minItems", UNSET)

        max_items = d.pop("maxItems", UNSET)

        minimum = d.pop("minimum", UNSET)

        maximum = d.pop("maximum", UNSET)

        exclusive_minimum = d.pop("exclusiveMinimum", UNSET)

        exclusive_maximum = d.pop("exclusiveMaximum", UNSET)

        pattern = d.pop("pattern", UNSET)

        enum = cast(list[Any], d.pop("enum", UNSET))

        field_error_params = cls(
            min_length=min_length,
            max_length=max_length,
            min_items=min_items,
            max_items=max_items,
            minimum=minimum,
            maximum=maximum,
            exclusive_minimum=exclusive_minimum,
            exclusive_maximum=exclusive_maximum,
            pattern=pattern,
            enum=enum,
        )

        field_error_params.additional_properties = d
        return field_error_params

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
