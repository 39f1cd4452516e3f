from enum import StrEnum


class TaskDeletedEventEvent(StrEnum):
    TASK_DELETED = "task.deleted"

    def __str__(self) -> str:
        return str(self.value)
