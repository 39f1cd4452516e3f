from enum import StrEnum


class ResetEventEvent(StrEnum):
    RESET = "reset"

    def __str__(self) -> str:
        return str(self.value)
