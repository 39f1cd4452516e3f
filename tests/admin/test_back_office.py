"""The back office as operators use it, and as it refuses what it must: every page and action
behind a sign-in, writes for admins only, every form CSRF-protected, every action audited and
kept to the API's rules (a locked account's token is refused by the public API)."""

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, update
from starlette.exceptions import HTTPException

from service.admin import actions
from service.admin.audit import COMMAND_LINE
from service.admin.auth import SESSION_COOKIE
from service.kit.credentials import new_token, token_digest
from service.tables import AccessToken, AuditEntry, Export, User
from service.tables import Operator as OperatorRow
from tests.admin.office import ADMIN_APP, PASSWORD, Operator, make_operator, rows, run_sql, servers
from tests.browser import ARTIFACTS, chromium
from tests.exports.test_endpoints import finished
from tests.factories import create_project
from tests.factories import sign_up as api_sign_up
from tests.live import LiveServer

ACCOUNT = {"email": "grace@example.com", "password": "correct horse battery"}


def sign_up(api: LiveServer) -> tuple[int, str]:
    """An API user and a token of theirs."""
    created = httpx.post(f"{api.url}/v1/users", json={**ACCOUNT, "displayName": "Grace"})
    assert created.status_code == 201, created.text
    token = httpx.post(f"{api.url}/v1/tokens", json=ACCOUNT)
    assert token.status_code == 201, token.text
    return created.json()["id"], token.json()["accessToken"]


def me(api: LiveServer, token: str) -> httpx.Response:
    return httpx.get(f"{api.url}/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def audit_log(database_url: str, command_line: bool = False) -> list[tuple[Any, ...]]:
    """(operator, action, object type, object id, before, after) of each entry, oldest first: the
    operators' (and, with `command_line`, those of `make operator` too)."""
    entries = select(
        AuditEntry.operator_email,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.before,
        AuditEntry.after,
    ).order_by(AuditEntry.id)
    if not command_line:
        entries = entries.where(AuditEntry.operator_email != COMMAND_LINE)
    found: list[tuple[Any, ...]] = []
    for entry in rows(database_url, entries):
        email, action, kind, pk, before, after = cast(tuple[Any, ...], entry)
        found.append((email, action, kind, pk, before and json.loads(before), after and json.loads(after)))
    return found


def first_entry(database_url: str, action: str) -> int:
    """The id of the audit log's first entry of this action."""
    found = rows(database_url, select(func.min(AuditEntry.id)).where(AuditEntry.action == action))
    return cast(int, cast(tuple[Any, ...], found[0])[0])


@pytest.mark.once  # the command's prompts and refusals, whatever the database
def test_make_operator_makes_one_and_refuses_what_it_must(database_url: str) -> None:
    printed = make_operator(database_url, "Ops@Example.com")
    assert printed == "Operator ops@example.com (admin) made: sign in to the back office (`make admin`).\n"
    with pytest.raises(AssertionError, match=r"an operator with the email ops@example\.com exists"):
        make_operator(database_url, "ops@example.com", "support")
    with pytest.raises(AssertionError, match="the password needs 12 to 1024 characters"):
        make_operator(database_url, "short@example.com", password="too short")
    [made] = audit_log(database_url, command_line=True)
    made_one = {"email": "ops@example.com", "role": "admin", "disabledAt": None}
    assert made == (COMMAND_LINE, "create", "operator", 1, None, made_one)


def test_an_admin_finds_a_user_locks_them_and_the_api_refuses_their_token(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        assert me(api, token).status_code == 200

        with Operator(office.url) as operator:
            signed_in = operator.sign_in("ops@example.com")
            assert signed_in.status_code == 302 and signed_in.headers["location"] == f"{office.url}/"
            for search in ("GRACE@", str(user_id)):
                found = operator.page(f"/user/list?search={search}")
                assert found.status_code == 200 and "grace@example.com" in found.text
            assert "grace@example.com" not in operator.page("/user/list?search=%25_%25").text  # no wildcards
            details = operator.page(f"/user/details/{user_id}")
            assert details.status_code == 200 and "Grace" in details.text and ">Lock</button>" in details.text
            assert "argon2" not in details.text  # no password hash on any page

            locked = operator.act(f"/user/lock/{user_id}", f"/user/details/{user_id}")
            assert locked.status_code == 303 and locked.headers["location"] == f"{office.url}/user/details/{user_id}"
            refused = me(api, token)
            assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
            again = httpx.post(f"{api.url}/v1/tokens", json=ACCOUNT)
            assert again.status_code == 401
            assert again.json()["detail"] == "This account is locked: its owner may ask support to unlock it."
            assert ">Unlock</button>" in operator.page(f"/user/details/{user_id}").text

            # Unlocked, the account signs in again; the token the lock revoked stays revoked.
            assert operator.act(f"/user/unlock/{user_id}", f"/user/details/{user_id}").status_code == 303
            fresh = httpx.post(f"{api.url}/v1/tokens", json=ACCOUNT)
            assert fresh.status_code == 201 and me(api, fresh.json()["accessToken"]).status_code == 200
            assert me(api, token).status_code == 401

            # Revoking signs the account out everywhere, and leaves it free to sign in.
            assert operator.act(f"/user/revoke-tokens/{user_id}", f"/user/details/{user_id}").status_code == 303
            assert me(api, fresh.json()["accessToken"]).status_code == 401
            assert httpx.post(f"{api.url}/v1/tokens", json=ACCOUNT).status_code == 201

            log = audit_log(database_url)
            assert [(email, action, kind, pk) for email, action, kind, pk, _, _ in log] == [
                ("ops@example.com", "lock", "user", user_id),
                ("ops@example.com", "unlock", "user", user_id),
                ("ops@example.com", "revoke-tokens", "user", user_id),
            ]
            lock_before, lock_after = log[0][4], log[0][5]
            assert lock_before == {"lockedAt": None, "workingTokens": 1}
            assert isinstance(lock_after, dict) and lock_after["lockedAt"] and lock_after["workingTokens"] == 0
            assert log[2][4] == {"workingTokens": 1} and log[2][5] == {"workingTokens": 0}
            # The log reads in the back office, newest first, and cannot be changed there.
            listed = operator.page("/audit-entry/list")
            assert listed.status_code == 200
            assert listed.text.index("revoke-tokens") < listed.text.index("unlock") < listed.text.index(">lock<")
            entry = operator.page(f"/audit-entry/details/{first_entry(database_url, 'lock')}")
            assert entry.status_code == 200 and "workingTokens" in entry.text
            assert operator.page("/audit-entry/edit/1").status_code == 403
            assert operator.client.delete("/audit-entry/delete?pks=1").status_code == 403
            assert len(audit_log(database_url)) == 3


PAGES = ("/", "/user/list", "/project/list", "/membership/list", "/task/list", "/export/list", "/audit-entry/list")


# The same work on either database: once.
@pytest.mark.once
def test_every_page_and_action_needs_a_sign_in(database_url: str, tmp_path: Path) -> None:
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        with Operator(office.url) as stranger:
            for path in (*PAGES, f"/user/details/{user_id}", "/operator/list"):
                answer = stranger.page(path)
                assert answer.status_code == 302 and answer.headers["location"] == f"{office.url}/login", path
            for action in ("lock", "unlock", "revoke-tokens"):
                answer = stranger.act(f"/user/{action}/{user_id}", "/login")
                assert answer.status_code == 302 and answer.headers["location"] == f"{office.url}/login", action
            assert me(api, token).status_code == 200
            wrong = stranger.sign_in("nobody@example.com")
            assert wrong.status_code == 400 and "do not match an operator" in wrong.text
            assert audit_log(database_url) == []


# The same work on either database: once.
@pytest.mark.once
def test_support_reads_every_page_and_changes_nothing(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "support@example.com", "support")
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        with Operator(office.url) as support:
            assert support.sign_in("support@example.com").status_code == 302
            for path in (*PAGES, f"/user/details/{user_id}"):
                assert support.page(path).status_code == 200, path
            details = support.page(f"/user/details/{user_id}").text
            assert "grace@example.com" in details and f"/user/lock/{user_id}" not in details
            assert "csrf_token" not in details  # no form at all
            assert support.page("/operator/list").status_code == 403  # operators are an admin's to see
            for action in ("lock", "revoke-tokens"):
                answer = support.act(f"/user/{action}/{user_id}", "/login")
                assert answer.status_code == 403 and "Only an admin operator may do this" in answer.text
            assert me(api, token).status_code == 200
            assert audit_log(database_url) == []


ODD_ADDRESSES = (
    "/user/list?search=%C2%B2",  # a superscript two: a digit to str.isdigit, and no number
    "/user/details/abc",
    "/user/details/1.5",
    "/project/details/1%00",
    f"/user/details/{'9' * 26}",  # past PostgreSQL's bigint
    "/membership/details/1",  # one of its two keys
    "/membership/details/1;x",
)


@pytest.mark.once  # pages and searches, whatever the database
def test_odd_addresses_answer_pages_and_searches_take_wildcards_literally(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office):
        _, token = sign_up(api)
        for name in ("100% sure", "1000 sure", "a_b", "axb"):
            made = httpx.post(
                f"{api.url}/v1/projects", json={"name": name}, headers={"Authorization": f"Bearer {token}"}
            )
            assert made.status_code == 201
        with Operator(office.url) as operator:
            assert operator.sign_in("ops@example.com").status_code == 302
            for path in ODD_ADDRESSES:
                page = operator.page(path)
                assert page.status_code in (200, 404), (path, page.status_code)
                assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
            found = operator.page("/project/list?search=100%25").text
            assert "100% sure" in found and "1000 sure" not in found
            found = operator.page("/project/list?search=A_B").text
            assert "a_b" in found and "axb" not in found


@pytest.mark.once  # sessions, whatever the database
def test_sign_out_ends_the_session_and_its_copies_and_an_admin_ends_anothers(database_url: str) -> None:
    make_operator(database_url, "ops@example.com")
    make_operator(database_url, "support@example.com", "support")
    [row] = rows(database_url, select(OperatorRow.id).where(OperatorRow.email == "support@example.com"))
    support_id = cast(tuple[int], row)[0]
    with LiveServer(database_url, app=ADMIN_APP) as office:
        with Operator(office.url) as operator, Operator(office.url) as thief:
            assert operator.sign_in("ops@example.com").status_code == 302
            thief.client.cookies.set(SESSION_COOKIE, operator.client.cookies[SESSION_COOKIE])
            assert thief.page("/user/list").status_code == 200
            assert operator.page("/logout").status_code == 302
            assert thief.page("/user/list").headers["location"] == f"{office.url}/login"
        with Operator(office.url) as support, Operator(office.url) as admin:
            assert support.sign_in("support@example.com").status_code == 302
            assert support.page("/user/list").status_code == 200
            assert admin.sign_in("ops@example.com").status_code == 302
            page = f"/operator/details/{support_id}"
            assert admin.act(f"/operator/end-sessions/{support_id}", page).status_code == 303
            assert support.page("/user/list").headers["location"] == f"{office.url}/login"
            assert admin.page("/user/list").status_code == 200  # only the other's
            assert support.sign_in("support@example.com").status_code == 302  # and a new sign-in works
    [entry] = audit_log(database_url)
    assert entry == (
        "ops@example.com",
        "end-sessions",
        "operator",
        support_id,
        {"sessionGeneration": 0},
        {"sessionGeneration": 1},
    )


def operator_id(database_url: str, email: str) -> int:
    [row] = rows(database_url, select(OperatorRow.id).where(OperatorRow.email == email))
    return cast(tuple[int], row)[0]


@pytest.mark.once  # forms and sessions, whatever the database
def test_an_admin_makes_disables_enables_reroles_resets_and_removes_an_operator_each_audited(
    database_url: str,
) -> None:
    make_operator(database_url, "ops@example.com")
    admin_id = operator_id(database_url, "ops@example.com")
    with LiveServer(database_url, app=ADMIN_APP) as office, Operator(office.url) as admin:
        assert admin.sign_in("ops@example.com").status_code == 302
        assert "+ New operator" in admin.page("/operator/list").text
        form = {"email": "Support@Example.com", "role": "support"}
        short = admin.act("/operator/new", "/operator/new", **form, password="too short")
        assert short.status_code == 400 and "No operator made: the password needs 12 to 1024 characters." in short.text
        taken = admin.act("/operator/new", "/operator/new", **form | {"email": "ops@example.com"}, password=PASSWORD)
        assert taken.status_code == 400 and "an operator with the email ops@example.com exists" in taken.text
        odd = admin.act("/operator/new", "/operator/new", **form | {"role": "root"}, password=PASSWORD)
        assert odd.status_code == 400 and "the role is one of support, admin" in odd.text
        made = admin.act("/operator/new", "/operator/new", **form, password=PASSWORD)
        support_id = operator_id(database_url, "support@example.com")
        page = f"/operator/details/{support_id}"
        assert made.status_code == 303 and made.headers["location"] == f"{office.url}{page}"

        with Operator(office.url) as support:
            assert support.sign_in("support@example.com").status_code == 302
            assert support.page("/operator/list").status_code == 403  # support reads no operators
            assert support.act(f"/operator/disable/{admin_id}", "/login").status_code == 403
            assert admin.act(f"/operator/disable/{support_id}", page).status_code == 303
            assert support.page("/user/list").headers["location"] == f"{office.url}/login"
            assert support.sign_in("support@example.com").status_code == 400
            assert ">Enable</button>" in admin.page(page).text
            assert admin.act(f"/operator/enable/{support_id}", page).status_code == 303
            assert support.sign_in("support@example.com").status_code == 302
            assert admin.act(f"/operator/role/{support_id}", page, role="admin").status_code == 303
            assert support.page("/operator/list").status_code == 200  # at the next request
            assert admin.act(f"/operator/role/{support_id}", page, role="root").status_code == 400
            changed = admin.act(f"/operator/password/{support_id}", page, password="a new long passphrase")
            assert changed.status_code == 303
            assert support.page("/user/list").headers["location"] == f"{office.url}/login"
            assert support.sign_in("support@example.com").status_code == 400
            assert support.sign_in("support@example.com", "a new long passphrase").status_code == 302
            assert admin.act(f"/operator/password/{support_id}", page, password="short").status_code == 400

            # An admin does none of this to themselves: one enabled admin always remains.
            mine = f"/operator/details/{admin_id}"
            for action in ("disable", "remove", "role"):
                refused = admin.act(f"/operator/{action}/{admin_id}", mine, role="support")
                assert refused.status_code == 409 and "another admin does it" in refused.text
            assert ">Disable</button>" not in admin.page(mine).text

            assert admin.act(f"/operator/remove/{support_id}", page).status_code == 303
            assert admin.page(page).status_code == 404
            assert support.page("/user/list").headers["location"] == f"{office.url}/login"
            assert support.sign_in("support@example.com", "a new long passphrase").status_code == 400
        assert admin.page("/user/list").status_code == 200  # nothing of this touched the admin's own session

    log = audit_log(database_url)
    assert [(who, action, kind, pk) for who, action, kind, pk, _, _ in log] == [
        ("ops@example.com", action, "operator", support_id)
        for action in ("create", "disable", "enable", "change-role", "reset-password", "remove")
    ]
    created, disabled, enabled, rerolled, reset, removed = ((before, after) for *_, before, after in log)
    state = {"email": "support@example.com", "role": "support", "disabledAt": None}
    assert created == (None, state)
    assert disabled[0] == state and disabled[1]["disabledAt"] is not None
    assert enabled == (disabled[1], state)
    assert rerolled == (state, {**state, "role": "admin"})
    assert reset == (None, {"passwordChanged": True})
    assert removed == ({**state, "role": "admin"}, None)
    assert "argon2" not in str(log)  # a password's hash is in no entry


@pytest.mark.once  # what a page shows, whatever the database
def test_support_sees_operators_by_id_in_the_audit_log(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    make_operator(database_url, "support@example.com", "support")
    with servers(database_url, tmp_path) as (api, office):
        user_id, _ = sign_up(api)
        with Operator(office.url) as admin:
            assert admin.sign_in("ops@example.com").status_code == 302
            assert admin.act(f"/user/lock/{user_id}", f"/user/details/{user_id}").status_code == 303
            assert "ops@example.com" in admin.page("/audit-entry/list").text
        with Operator(office.url) as support:
            assert support.sign_in("support@example.com").status_code == 302
            lock = first_entry(database_url, "lock")
            for page in (support.page("/audit-entry/list"), support.page(f"/audit-entry/details/{lock}")):
                assert page.status_code == 200
                assert "ops@example.com" not in page.text and "operator #" in page.text
            assert "ops@example.com" not in support.page("/audit-entry/list?search=ops").text
            # What an entry about another operator holds (their email) is for admins too.
            made = first_entry(database_url, "create")
            assert "(for admins)" in support.page(f"/audit-entry/details/{made}").text
            assert "ops@example.com" not in support.page(f"/audit-entry/details/{made}").text
            assert "the command line" in support.page(f"/audit-entry/details/{made}").text


# The same work on either database: once.
@pytest.mark.once
def test_every_form_needs_the_sessions_token_from_this_origin(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        with Operator(office.url) as operator:
            # Sign-in itself: no token, or one of another session.
            no_token = operator.client.post("/login", data={"email": "ops@example.com", "password": PASSWORD})
            assert no_token.status_code == 403
            with Operator(office.url) as someone_else:
                other = someone_else.token()
            form = {"csrf_token": other, "email": "ops@example.com", "password": PASSWORD}
            assert operator.client.post("/login", data=form).status_code == 403
            assert operator.sign_in("ops@example.com").status_code == 302

            lock = f"/user/lock/{user_id}"
            assert operator.client.post(lock, data={}).status_code == 403
            assert operator.client.post(lock, data={"csrf_token": other}).status_code == 403
            # A form on another site, with the right token even: its Origin gives it away.
            valid = operator.token(f"/user/details/{user_id}")
            cross = operator.client.post(lock, data={"csrf_token": valid}, headers={"Origin": "http://evil.example"})
            assert cross.status_code == 403 and cross.text == "A form of another site was refused."
            fetched = {"Sec-Fetch-Site": "cross-site"}
            cross_site = operator.client.post(lock, data={"csrf_token": valid}, headers=fetched)
            assert cross_site.status_code == 403
            bare = httpx.post(f"{office.url}{lock}", data={"csrf_token": valid}, cookies=operator.client.cookies)
            assert bare.status_code == 403  # no Origin, no Referer
            assert me(api, token).status_code == 200 and audit_log(database_url) == []


# The same work on either database: once.
@pytest.mark.once
def test_the_session_cookie_is_http_only_same_site_strict_secure_over_tls(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with LiveServer(database_url, {"FORWARDED_ALLOW_IPS": "127.0.0.1"}, app=ADMIN_APP) as office:
        with Operator(office.url) as operator:
            signed_in = operator.sign_in("ops@example.com")
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith("taskboard_admin=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "max-age", "path"} <= attributes and "secure" not in attributes
        assert "samesite=strict" in cookie.lower() and "max-age=28800" in cookie.lower()
        # Reached over TLS (here through a proxy at 127.0.0.1, which FORWARDED_ALLOW_IPS trusts), it is Secure.
        over_tls = httpx.get(f"{office.url}/login", headers={"X-Forwarded-Proto": "https"})
        assert over_tls.status_code == 200
        assert "secure" in {part.strip().lower() for part in over_tls.headers["set-cookie"].split(";")}


def test_an_admin_requeues_a_failed_export_and_purges_a_finished_one(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        headers = {"Authorization": f"Bearer {token}"}
        project = httpx.post(f"{api.url}/v1/projects", json={"name": "Launch"}, headers=headers).json()
        exported = httpx.post(f"{api.url}/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
        assert exported.status_code == 202, exported.text
        export_id = exported.json()["id"]
        for _ in range(100):
            status = httpx.get(f"{api.url}/v1/exports/{export_id}", headers=headers).json()["status"]
            if status == "succeeded":
                break
            asyncio.run(asyncio.sleep(0.05))
        assert status == "succeeded"
        file = tmp_path / "exports" / f"export-{export_id}.csv"
        assert file.exists()

        with Operator(office.url) as operator:
            operator.sign_in("ops@example.com")
            # A succeeded export is not queued again; a failed one is, for the service's sweep to run.
            requeue = f"/export/requeue/{export_id}"
            conflict = operator.act(requeue, f"/export/details/{export_id}")
            assert conflict.status_code == 409 and "only a failed one, or a running one whose worker" in conflict.text
            # Running, and held by a live worker's lease: left alone; once the lease has run out (its
            # worker is stuck or gone), queued again; failed, queued again.
            held = datetime.now(UTC) + timedelta(minutes=5)
            run_sql(database_url, update(Export).values(status="running", lease_expires_at=held))
            assert operator.act(requeue, f"/export/details/{export_id}").status_code == 409
            # (A running one whose lease ran out: the service's own sweep takes it, every 0.2 s here,
            # faster than an operator; test_an_export_stuck_running_is_queued_again_by_an_admin.)
            for stuck in ({"status": "failed", "error": "disk full"},):
                run_sql(database_url, update(Export).values(**stuck))
                assert operator.act(requeue, f"/export/details/{export_id}").status_code == 303
                for _ in range(100):  # queued again, the service's sweep runs it (EXPORT_SWEEP_SECONDS)
                    if rows(database_url, select(Export.status))[0] == ("succeeded",):
                        break
                    asyncio.run(asyncio.sleep(0.1))
                assert rows(database_url, select(Export.status, Export.error, Export.row_count)) == [
                    ("succeeded", None, 0)
                ]

            purged = operator.act(f"/export/purge/{export_id}", f"/export/details/{export_id}")
            assert purged.status_code == 303 and purged.headers["location"] == f"{office.url}/export/list"
            assert rows(database_url, select(Export.id)) == [] and not file.exists()
            assert [entry[1:4] for entry in audit_log(database_url)] == [
                ("requeue", "export", export_id),
                ("purge", "export", export_id),
            ]
            assert audit_log(database_url)[0][4]["status"] == "failed"
            assert rows(database_url, select(User.id)) == [(user_id,)]


# The browser's part is the same on either database (once), and a browser takes the machine (serial).
@pytest.mark.once
@pytest.mark.serial
def test_an_operator_walks_from_sign_in_to_the_audit_entry_in_a_browser(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office):
        user_id, token = sign_up(api)
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot = ARTIFACTS / "back-office-audit.png"
        command = [
            *("node", str(Path(__file__).with_name("walk.mjs")), chromium(), office.url, str(tmp_path / "profile")),
            *("ops@example.com", PASSWORD, ACCOUNT["email"], str(screenshot), "new-ops@example.com"),
        ]
        walked = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert walked.returncode == 0, walked.stderr[-4000:]
        seen = json.loads(walked.stdout)
        assert seen["signedIn"] == f"{office.url}/" and seen["found"] is True
        assert seen["confirmed"] == "Lock this account and revoke its tokens?" and seen["unlockOffered"] is True
        assert seen["audit"].split()[-4:] == ["ops@example.com", "lock", "user", str(user_id)]
        # Every script, style and font from the back office itself: none failed, but for one that a
        # page left before it had loaded (a font, on a busy machine: the navigation cancels it).
        failed = [(r["url"].startswith(f"{office.url}/statics/"), r["error"]) for r in seen["failedRequests"]]
        assert all(failure == (True, "net::ERR_ABORTED") for failure in failed), seen["failedRequests"]
        assert me(api, token).status_code == 401
        assert seen["madeOperator"] is True
        new_operator = operator_id(database_url, "new-ops@example.com")
        log = [entry[1:4] for entry in audit_log(database_url)]
        assert log == [("lock", "user", user_id), ("create", "operator", new_operator)]


# Nine failures free of back-off, and the tenth locks out: the tests reach the lockouts at once.
QUICK_GUESSES = {"SIGN_IN_FREE_FAILURES": "9", "SIGN_IN_LOCKOUT_FAILURES": "10"}


@pytest.mark.once
def test_guesses_hold_off_the_guessing_address_not_the_operator_nor_others_signing_in_there(
    database_url: str,
) -> None:
    make_operator(database_url, "ops@example.com")
    make_operator(database_url, "colleague@example.com")
    with LiveServer(database_url, QUICK_GUESSES, app=ADMIN_APP) as office:
        with Operator(office.url, address="127.0.0.2") as guesser:
            for guess in range(10):
                time.sleep(1.1 if guess == 9 else 0)  # the tenth, after the second's wait the ninth brings
                assert guesser.sign_in("ops@example.com", f"wrong guess {guess}").status_code == 400
            # Even the right password, from there, for the rest of the lockout.
            held = guesser.sign_in("ops@example.com")
            assert held.status_code == 429 and 0 < int(held.headers["retry-after"]) <= 900
            assert "Too many failed sign-ins" in held.text
        with Operator(office.url, address="127.0.0.2") as colleague:
            assert colleague.sign_in("colleague@example.com").status_code == 302
        with Operator(office.url) as operator:
            assert operator.sign_in("ops@example.com").status_code == 302
        # Sign-ins that succeed are no guesses: as many as operators need.
        for _ in range(12):
            with Operator(office.url) as operator:
                assert operator.sign_in("ops@example.com").status_code == 302


@pytest.mark.once
def test_guesses_from_many_addresses_hold_off_an_email_but_where_its_operator_signed_in(database_url: str) -> None:
    make_operator(database_url, "ops@example.com")
    ceiling = {**QUICK_GUESSES, "SIGN_IN_EMAIL_LOCKOUT_FAILURES": "12"}
    with LiveServer(database_url, ceiling, app=ADMIN_APP) as office:
        with Operator(office.url) as operator:
            assert operator.sign_in("ops@example.com").status_code == 302
        for host in (2, 3, 4):
            with Operator(office.url, address=f"127.0.0.{host}") as guesser:
                for guess in range(4):
                    assert guesser.sign_in("ops@example.com", f"wrong guess {guess}").status_code == 400
        with Operator(office.url, address="127.0.0.9") as newcomer:
            assert newcomer.sign_in("ops@example.com").status_code == 429
        with Operator(office.url) as operator:
            assert operator.sign_in("ops@example.com").status_code == 302


@pytest.mark.once
def test_before_sign_in_requests_are_bounded_as_the_apis_are(database_url: str) -> None:
    with LiveServer(database_url, app=ADMIN_APP) as office, Operator(office.url) as browser:
        token = browser.token()
        # A form of many large fields: refused before it is read (where it once took 600 MiB).
        fields = {"csrf_token": token, **{f"field{n}": "x" * 1024 for n in range(600)}}
        assert browser.client.post("/login", data=fields).status_code == 413
        # Many small fields within the size: refused by the form's bounds.
        many = [("csrf_token", token), *((f"f{n}", "x") for n in range(200))]
        refused = browser.client.post("/login", files={name: (None, value) for name, value in many})
        assert refused.status_code == 400
        # A request head over MAX_REQUEST_HEAD_BYTES (64 KiB): 431, as the API answers.
        huge = browser.client.get("/login", headers={"X-Padding": "x" * 100_000})
        assert huge.status_code == 431
        assert huge.headers["content-type"] == "application/problem+json"
        # And the form that fits still signs in.
        assert browser.sign_in("nobody@example.com", "wrong").status_code == 400


@pytest.mark.once
def test_no_page_serves_a_file_whatever_a_field_names(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "support@example.com", "support")
    with servers(database_url, tmp_path) as (api, office):
        # A display name that is the path of a file beside the back office.
        body = {"email": "files@example.com", "password": "correct horse battery", "displayName": "pyproject.toml"}
        user_id = httpx.post(f"{api.url}/v1/users", json=body).json()["id"]
        with Operator(office.url) as support:
            assert support.sign_in("support@example.com").status_code == 302
            for route in ("download", "preview"):
                answer = support.page(f"/user/{user_id}/display_name/{route}/")
                assert answer.status_code == 404 and "[project]" not in answer.text, route
        # Signed out, an error page is the error, not one of the menu drawn on it.
        with Operator(office.url) as stranger:
            assert stranger.client.post("/login", data={"email": "x"}).status_code == 403
            login = stranger.page("/login")
            # No page in a frame; no host name but the back office's own (DNS rebinding).
            assert login.headers["x-frame-options"] == "DENY"
            assert login.headers["content-security-policy"] == "frame-ancestors 'none'"
            assert stranger.client.get("/login", headers={"Host": "rebound.example"}).status_code == 400


def test_a_token_a_sign_in_made_while_the_lock_committed_never_works(database_url: str, tmp_path: Path) -> None:
    make_operator(database_url, "ops@example.com")
    with servers(database_url, tmp_path) as (api, office), Operator(office.url) as operator:
        user_id, _ = sign_up(api)
        operator.sign_in("ops@example.com")
        assert operator.act(f"/user/lock/{user_id}", f"/user/details/{user_id}").status_code == 303
        # What a sign-in that read the account just before the lock leaves behind: a token made after it.
        raced = new_token()
        expires = datetime.now(UTC) + timedelta(hours=1)
        run_sql(
            database_url,
            insert(AccessToken).values(
                token_hash=token_digest(raced), user_id=user_id, expires_at=expires, created_at=datetime.now(UTC)
            ),
        )
        assert me(api, raced).status_code == 401  # refused while locked
        assert operator.act(f"/user/unlock/{user_id}", f"/user/details/{user_id}").status_code == 303
        assert me(api, raced).status_code == 401  # and revoked by the unlock


OLD_KEY, NEW_KEY = "an old secret key being rotated out", "a new secret key being rotated in"


@pytest.mark.once
def test_a_rotation_of_secret_key_keeps_operators_signed_in_and_a_removed_key_signs_them_out(
    database_url: str,
) -> None:
    make_operator(database_url, "ops@example.com")
    office = LiveServer(database_url, {"SECRET_KEY": OLD_KEY}, app=ADMIN_APP)
    with Operator(office.url) as operator:
        with office:
            assert operator.sign_in("ops@example.com").status_code == 302
            assert operator.page("/user/list").status_code == 200
        # Restarted (on the same port) with the new key first and the old after: still signed in.
        office.env["SECRET_KEY"] = f"{NEW_KEY},{OLD_KEY}"
        with office:
            assert operator.page("/user/list").status_code == 200
        office.env["SECRET_KEY"] = NEW_KEY
        with office:
            assert operator.page("/user/list").headers["location"] == f"{office.url}/login"


@pytest.mark.once
def test_a_back_office_for_other_hosts_refuses_to_start_without_secret_key(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "ADMIN_HOSTS": "admin.example.com", "SECRET_KEY": ""}
    done = subprocess.run(
        [sys.executable, "-c", "from service.admin.app import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "SECRET_KEY is not set: the back office serves only 127.0.0.1 and localhost without it" in done.stderr


async def test_an_export_stuck_running_is_queued_again_by_an_admin(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Running under a lease that ran out (its worker is stuck or gone): an admin queues it again,
    audited; under a live worker's lease, it is left alone. (No sweep runs here: EXPORT_SWEEP_SECONDS.)"""
    ada = await api_sign_up(client)
    project = await create_project(client, ada)
    exported = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    export_id = exported.json()["id"]
    # The service's own worker done with it first: it would finish the export under the test's hands.
    await finished(client, ada, exported.headers["location"])
    database = app.state.database
    async with database.short_write() as session:
        operator = OperatorRow(email="ops@example.com", password_hash="-", role="admin")
        session.add(operator)
    for lease, answer in ((timedelta(minutes=5), 409), (-timedelta(minutes=5), None)):
        async with database.short_write() as session:
            stuck = {"status": "running", "lease_expires_at": datetime.now(UTC) + lease}
            await session.execute(update(Export).where(Export.id == export_id).values(**stuck))
        if answer is None:
            await actions.requeue_export(database, app.state.settings, operator, export_id)
        else:
            with pytest.raises(HTTPException) as refused:
                await actions.requeue_export(database, app.state.settings, operator, export_id)
            assert refused.value.status_code == answer
    async with database.short_write() as session:
        export = await session.get(Export, export_id)
        entries = (await session.scalars(select(AuditEntry.action))).all()
    assert export is not None and (export.status, export.lease_expires_at) == ("queued", None)
    assert entries == ["requeue"]
