import re

import httpx
import pytest
import yaml

from generated import models
from generated.api import OPERATIONS, TAGS, users
from service.app import create_app
from service.contract import CONTRACT_PATH, ensure_complete, routed_operations
from service.kit.context import request_context
from service.kit.handlers import Handlers
from service.settings import Settings
from service.users.handlers import UsersHandlers


def test_routes_equal_the_contract_operations(settings: Settings) -> None:
    app = create_app(settings)
    contract = yaml.safe_load(CONTRACT_PATH.read_text())
    expected = {
        (op["operationId"], method.upper(), path)
        for path, item in contract["paths"].items()
        for method, op in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert routed_operations(app) == expected
    assert {(op.operation_id, op.method, op.path) for op in OPERATIONS} == expected


async def test_openapi_json_is_the_contract_itself(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == yaml.safe_load(CONTRACT_PATH.read_text())


async def test_docs_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "url: '/openapi.json'" in page and '"validatorUrl": null' in page
    assert "//" not in page.replace("<!DOCTYPE html>", "")  # no URL with a host, such as a CDN's
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", page)
    assert sorted(assets) == [
        "/docs/assets/favicon.png",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
    ]
    types = {"png": "image/png", "js": "text/javascript", "css": "text/css"}
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
        assert served.headers["content-type"].split(";")[0] == types[asset.rsplit(".", 1)[1]]
        assert served.headers["x-content-type-options"] == "nosniff"
    # Swagger UI 5: the first that reads OpenAPI 3.1.
    bundle = (await client.get("/docs/assets/swagger-ui-bundle.js")).text
    assert re.search(r'"5\.\d+\.\d+"', bundle)


def test_app_refuses_to_start_without_a_handler_for_every_operation(settings: Settings) -> None:
    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(users.router(UsersHandlers, context=request_context))
    with pytest.raises(RuntimeError, match="createToken, revokeCurrentToken, getHealth, getReadiness") as error:
        ensure_complete(app)
    said = str(error.value).splitlines()[1:]
    assert len(said) == len(TAGS) - 1  # every tag but users, which is routed
    assert said[-1] == (
        "tag health: implement HealthApi (generated.api.health) in a class of service/<resource>/handlers.py,"
        " and add `app.include_router(health.router(<that class>, context=request_context))` in service/app.py"
    )


def test_a_handler_class_missing_an_operation_is_refused() -> None:
    class Partial(Handlers, users.UsersApi):
        create_user = UsersHandlers.create_user
        get_current_user = UsersHandlers.get_current_user
        update_current_user = UsersHandlers.update_current_user

    with pytest.raises(TypeError, match="Partial does not implement get_user"):
        users.router(Partial, context=request_context)  # type: ignore[type-abstract]


def test_models_use_wire_names_and_python_names() -> None:
    created = models.UserCreate.model_validate({"email": "a@example.com", "password": "12345678", "displayName": "A"})
    assert created.display_name == "A"
    assert models.UserProfile(id=1, display_name="A").model_dump(by_alias=True) == {"id": 1, "displayName": "A"}
