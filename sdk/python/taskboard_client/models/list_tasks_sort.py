from enum import StrEnum


class ListTasksSort(StrEnum):
    CREATED_AT = "createdAt"
    CREATED_AT_DESC = "-createdAt"
    DUE_DATE = "dueDate"
    DUE_DATE_DESC = "-dueDate"

    def __str__(self) -> str:
        return str(self.value)
