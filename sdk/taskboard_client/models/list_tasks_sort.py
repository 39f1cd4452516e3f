from enum import StrEnum


class ListTasksSort(StrEnum):
    CREATEDAT = "createdAt"
    DUEDATE = "dueDate"
    VALUE_1 = "-createdAt"
    VALUE_3 = "-dueDate"

    def __str__(self) -> str:
        return str(self.value)
