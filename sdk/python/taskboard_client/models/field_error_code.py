from enum import StrEnum


class FieldErrorCode(StrEnum):
    ADDITIONALPROPERTIES = "additionalProperties"
    DEPENDENTREQUIRED = "dependentRequired"
    EMAILPARTTOOLONG = "emailPartTooLong"
    ENUM = "enum"
    EXCLUSIVEMAXIMUM = "exclusiveMaximum"
    EXCLUSIVEMINIMUM = "exclusiveMinimum"
    FORMAT = "format"
    IDEMPOTENCYKEYREUSED = "idempotencyKeyReused"
    INVALID = "invalid"
    MAXIMUM = "maximum"
    MAXITEMS = "maxItems"
    MAXLENGTH = "maxLength"
    MINIMUM = "minimum"
    MINITEMS = "minItems"
    MINLENGTH = "minLength"
    NOTAMEMBER = "notAMember"
    PATTERN = "pattern"
    REPEATED = "repeated"
    REQUIRED = "required"
    TYPE = "type"

    def __str__(self) -> str:
        return str(self.value)
