import asyncio

import httpx

from service.settings import Settings
from tests.factories import PASSWORD, add_member, assert_problem, client_for, create_project, new_user, sign_up


async def test_sign_up_returns_the_account_and_its_location(client: httpx.AsyncClient) -> None:
    body = new_user(email="Ada.Lovelace@Example.com", displayName="Ada")
    response = await client.post("/v1/users", json=body)

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    user = response.json()
    assert set(user) == {"id", "email", "displayName", "createdAt", "updatedAt"}
    assert user["email"] == "Ada.Lovelace@Example.com"  # kept as given; unique regardless of case
    assert user["displayName"] == "Ada"
    assert user["createdAt"].endswith("Z") and user["createdAt"] == user["updatedAt"]
    assert response.headers["location"] == f"/v1/users/{user['id']}"
    assert "password" not in response.text and PASSWORD not in response.text


async def test_emails_are_unique_in_any_letter_case(client: httpx.AsyncClient) -> None:
    await sign_up(client, email="grace@example.com")
    response = await client.post("/v1/users", json=new_user(email="GRACE@EXAMPLE.COM"))
    problem = assert_problem(response, 409)
    assert "already exists" in problem["detail"]


async def test_concurrent_sign_ups_with_one_email_create_one_account(client: httpx.AsyncClient) -> None:
    emails = ["race@example.com", "RACE@example.com", "Race@Example.com", "rAce@example.com"] * 2
    responses = await asyncio.gather(*(client.post("/v1/users", json=new_user(email=e)) for e in emails))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (len(emails) - 1)
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)


async def test_sign_up_rejects_invalid_fields_naming_each(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/users", json={"email": "not-an-email", "password": "short", "displayName": "", "admin": True}
    )
    problem = assert_problem(response, 422)
    pointers = {(e["in"], e["pointer"]) for e in problem["errors"]}
    assert pointers == {("body", "/email"), ("body", "/password"), ("body", "/displayName"), ("body", "/admin")}
    assert all(e["detail"] for e in problem["errors"])


async def test_password_and_display_name_bounds(client: httpx.AsyncClient) -> None:
    too_long = await client.post("/v1/users", json=new_user(password="x" * 129, displayName="d" * 101))
    assert {e["pointer"] for e in assert_problem(too_long, 422)["errors"]} == {"/password", "/displayName"}
    at_limits = await client.post("/v1/users", json=new_user(password="x" * 128, displayName="d" * 100))
    assert at_limits.status_code == 201


async def test_get_current_user(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    response = await client.get("/v1/users/me", headers=ada.headers)
    assert response.status_code == 200
    assert response.json() == ada.user


async def test_update_display_name_leaves_the_rest(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    response = await client.patch("/v1/users/me", json={"displayName": "Ada King"}, headers=ada.headers)
    assert response.status_code == 200
    updated = response.json()
    assert updated["displayName"] == "Ada King"
    assert updated["email"] == ada.user["email"]
    assert updated["createdAt"] == ada.user["createdAt"]
    assert updated["updatedAt"] > ada.user["updatedAt"]
    again = await client.get("/v1/users/me", headers=ada.headers)
    assert again.json() == updated


async def test_empty_update_changes_nothing(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    response = await client.patch("/v1/users/me", json={}, headers=ada.headers)
    assert response.status_code == 200
    assert response.json() == ada.user


async def test_update_rejects_null_and_unknown_fields(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    response = await client.patch(
        "/v1/users/me", json={"displayName": None, "email": "x@example.com"}, headers=ada.headers
    )
    errors = assert_problem(response, 422)["errors"]
    assert {e["pointer"] for e in errors} == {"/displayName", "/email"}
    unchanged = await client.get("/v1/users/me", headers=ada.headers)
    assert unchanged.json() == ada.user


async def test_password_change_revokes_the_other_tokens_only(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    other = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
    other_headers = {"Authorization": f"Bearer {other.json()['accessToken']}"}

    body = {"password": "a new passphrase", "currentPassword": ada.password}
    changed = await client.patch("/v1/users/me", json=body, headers=ada.headers)
    assert changed.status_code == 200

    assert (await client.get("/v1/users/me", headers=ada.headers)).status_code == 200
    assert_problem(await client.get("/v1/users/me", headers=other_headers), 401)
    old = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
    assert_problem(old, 401)
    new = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": "a new passphrase"})
    assert new.status_code == 201


async def test_get_user_shows_the_public_profile_to_anyone(client: httpx.AsyncClient) -> None:
    ada, grace = await sign_up(client), await sign_up(client)
    profile = {"id": ada.user["id"], "displayName": ada.user["displayName"]}
    for headers in (grace.headers, ada.headers, {}):
        response = await client.get(f"/v1/users/{ada.user['id']}", headers=headers)
        assert response.status_code == 200
        assert response.json() == profile


async def test_get_unknown_user_is_404(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.get("/v1/users/999999"), 404)
    assert problem["detail"] == "No user with id 999999."


async def test_out_of_range_and_malformed_ids_are_422(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    for raw in ("99999999999999999999", "9223372036854775808", "0", "-1", "abc", "1.5"):
        problem = assert_problem(await client.get(f"/v1/users/{raw}", headers=ada.headers), 422)
        assert problem["errors"][0]["in"] == "path"
        assert problem["errors"][0]["pointer"] == "/userId"
    largest = await client.get("/v1/users/9223372036854775807", headers=ada.headers)
    assert_problem(largest, 404)


async def test_user_operations_need_a_token(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/v1/users/me"), ("PATCH", "/v1/users/me"), ("GET", "/v1/users")]:
        response = await client.request(method, path, json={} if method == "PATCH" else None)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


async def test_email_syntax_follows_the_contract(client: httpx.AsyncClient) -> None:
    # Reserved domains are valid RFC 5321 syntax; non-ASCII, display-name and one-label forms are not.
    local, label = "l" * 64, "d" * 63
    for accepted in ("-@aj3.07p.test", "ops@printer.local", "a.b+c@example.com", f"{local}@{label}.com"):
        assert (await client.post("/v1/users", json=new_user(email=accepted))).status_code == 201
    refused = (
        "é@example.com",
        "Ada <ada@example.com>",
        "a@localhost",
        "a..b@example.com",
        "a@[127.0.0.1]",
        "no-at-sign",
        "a@",
        "a b@example.com",
        f"{local}l@example.com",
        f"a@{label}d.com",
    )
    for email in refused:
        problem = assert_problem(await client.post("/v1/users", json=new_user(email=email)), 422)
        [error] = problem["errors"]
        code = "minLength" if len(email) < 3 else "emailPartTooLong" if local in email or label in email else "pattern"
        assert (error["pointer"], error["code"]) == ("/email", code), email


async def test_sign_in_email_matches_ascii_case_only(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client, email="kate@example.com")
    kelvin = await client.post("/v1/tokens", json={"email": "\u212aate@example.com", "password": ada.password})
    assert_problem(kelvin, 401)
    assert (
        await client.post("/v1/tokens", json={"email": "KATE@example.COM", "password": ada.password})
    ).status_code == 201


async def test_display_names_refuse_control_characters(client: httpx.AsyncClient) -> None:
    for name in ("\u0000", "Ada\nLovelace", "tab\there", "\u007f", "a\u0085b", "evil\u202egnp", "\u2066x"):
        problem = assert_problem(await client.post("/v1/users", json=new_user(displayName=name)), 422)
        assert problem["errors"][0]["pointer"] == "/displayName"
    unicode_name = await client.post("/v1/users", json=new_user(displayName="Ada Lovelace 🚀 Łódź"))
    assert unicode_name.status_code == 201


async def test_a_new_password_needs_the_current_one(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    missing = await client.patch("/v1/users/me", json={"password": "a new passphrase"}, headers=ada.headers)
    [error] = assert_problem(missing, 422)["errors"]
    assert (error["pointer"], error["code"]) == ("/currentPassword", "dependentRequired")
    wrong = {"password": "a new passphrase", "currentPassword": "not the password"}
    assert_problem(await client.patch("/v1/users/me", json=wrong, headers=ada.headers), 403)
    same = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
    assert same.status_code == 201  # the password did not change


async def test_list_users_shows_the_caller_and_co_members(client: httpx.AsyncClient) -> None:
    ada, bob, cy, eve = [await sign_up(client) for _ in range(4)]
    one, two = await create_project(client, ada), await create_project(client, bob)
    await add_member(client, ada, one["id"], bob)
    await add_member(client, bob, two["id"], cy)
    profiles = (await client.get("/v1/users", params={"limit": 1}, headers=bob.headers)).json()
    seen = [p["id"] for p in profiles["items"]]
    while profiles["nextCursor"]:
        params = {"limit": 1, "cursor": profiles["nextCursor"]}
        profiles = (await client.get("/v1/users", params=params, headers=bob.headers)).json()
        seen += [p["id"] for p in profiles["items"]]
    assert seen == [ada.user["id"], bob.user["id"], cy.user["id"]]
    ada_view = (await client.get("/v1/users", headers=ada.headers)).json()["items"]
    assert ada_view == [
        {"id": ada.user["id"], "displayName": ada.user["displayName"]},
        {"id": bob.user["id"], "displayName": bob.user["displayName"]},
    ]
    assert [p["id"] for p in (await client.get("/v1/users", headers=eve.headers)).json()["items"]] == [eve.user["id"]]


async def test_sign_ups_are_counted_per_address_those_that_find_the_email_taken_too(settings: Settings) -> None:
    async with client_for(settings.model_copy(update={"sign_up_per_address": 3})) as client:
        taken = new_user()
        assert (await client.post("/v1/users", json=taken)).status_code == 201
        assert (await client.post("/v1/users", json=taken)).status_code == 409
        assert (await client.post("/v1/users", json=new_user())).status_code == 201
        refused = await client.post("/v1/users", json=new_user())
        assert_problem(refused, 429)
        assert 3000 <= int(refused.headers["retry-after"]) <= 3600  # SIGN_UP_PERIOD: an hour
        # Sign-in is not sign-up: its own limits.
        signed_in = await client.post("/v1/tokens", json={"email": taken["email"], "password": taken["password"]})
        assert signed_in.status_code == 201
