from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.field_error_code import FieldErrorCode
from ..models.field_error_in import FieldErrorIn
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_error_params import FieldErrorParams


T = TypeVar("T", bound="FieldError")


@_attrs_define
class FieldError:
    """
    Attributes:
        in_ (FieldErrorIn): Which part of the request holds the field.
        pointer (str): A JSON Pointer (RFC 6901) to the field: into the JSON body for `body`, or `/<name>`
            for a parameter.
        code (FieldErrorCode): What is wrong, stable for a UI to word in its own language: the JSON Schema keyword
            of the contract that the value breaks (`required`, `type`, `format`, `minLength`,
            `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
            `minItems`, `maxItems`, `enum`, `additionalProperties` for a field the schema does not
            have, `dependentRequired` for one required by another), with its bound in `params`;
            or a rule beyond the schema: `repeated` (a form part sent twice), `notAMember` (the
            assignee is not a member of the project), `emailPartTooLong` (a local part over 64
            characters or a domain label over 63), `idempotencyKeyReused` (the key was used for
            another request); `invalid` for anything else. `detail` says it in English, for
            developers.
        detail (str): What is wrong, in English, for developers.
        params (FieldErrorParams | Unset): The bound that `code` names, under the keyword's name, as the contract states
            it.
    """

    in_: FieldErrorIn
    pointer: str
    code: FieldErrorCode
    detail: str
    params: FieldErrorParams | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        in_ = self.in_.value

        pointer = self.pointer

        code = self.code.value

        detail = self.detail

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "in": in_,
                "pointer": pointer,
                "code": code,
                "detail": detail,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_error_params import FieldErrorParams  # noqa: PLC0415

        d = dict(src_dict)
        in_ = FieldErrorIn(d.pop("in"))

        pointer = d.pop("pointer")

        code = FieldErrorCode(d.pop("code"))

        detail = d.pop("detail")

        _params = d.pop("params", UNSET)
        params: FieldErrorParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = FieldErrorParams.from_dict(_params)

        field_error = cls(
            in_=in_,
            pointer=pointer,
            code=code,
            detail=detail,
            params=params,
        )

        field_error.additional_properties = d
        return field_error

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
