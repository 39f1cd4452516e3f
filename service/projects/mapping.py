"""The API's project, from the ORM's."""

from generated import models
from service.tables import Project


def project_model(project: Project) -> models.Project:
    return models.Project(
        id=project.id,
        name=project.name,
        description=project.description,
        owner_id=project.owner_id,
        version=project.version,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )
