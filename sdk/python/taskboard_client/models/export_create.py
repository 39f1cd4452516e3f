from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.export_format import ExportFormat

T = TypeVar("T", bound="ExportCreate")


@_attrs_define
class ExportCreate:
    """
    Attributes:
        format_ (ExportFormat):
    """

    format_: ExportFormat

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "format": format_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        format_ = ExportFormat(d.pop("format"))

        export_create = cls(
            format_=format_,
        )

        return export_create
