from pydantic import MISSING

from generated import models
from generated.api.users import CreateUserResult, UsersApi
from service.kit.columns import utcnow
from service.kit.handlers import Handlers
from service.kit.pagination import Pager, by_id
from service.kit.problems import Conflict, Forbidden, NotFound, Unprocessable
from service.kit.ratelimits import Limiter
from service.tables import User
from service.tokens import queries as tokens
from service.tokens import throttle
from service.users import queries as users
from service.users.mapping import user_model


class UsersHandlers(Handlers, UsersApi):
    async def create_user(self, *, body: models.UserCreate) -> CreateUserResult:
        _check_email_lengths(body.email)
        limiter: Limiter = self.state.limiter
        await limiter.count_sign_up(self.context.request)
        # Hash before touching the database, so that no lock is held while Argon2 works.
        async with self.passwords.admitted():
            password_hash = await self.passwords.hash(body.password)
        if await users.find_by_email(self.session, body.email) is not None:
            raise Conflict("An account with this email already exists.")
        user = await users.create(
            self.session, email=body.email, display_name=body.display_name, password_hash=password_hash
        )
        return CreateUserResult(body=user_model(user), location=f"/v1/users/{user.id}")

    async def get_current_user(self) -> models.User:
        return user_model(await self.session.get_one(User, self.caller.user_id))

    async def update_current_user(self, *, body: models.UserUpdate) -> models.User:
        new_hash = None
        if body.password is not MISSING:
            if body.current_password is MISSING:
                raise Unprocessable(
                    "Required with password.",
                    where="body",
                    pointer="/currentPassword",
                    code=models.FieldErrorCode.DEPENDENT_REQUIRED,
                )
            # Argon2 before the first statement, so that no write lock is held while it works.
            guess = await throttle.password_change(self.database, self.caller.token_id)
            async with self.passwords.admitted():
                await throttle.attempt(self.database, guess, self.settings)
                async with self.database.reader() as session, session.begin():
                    current_hash = await users.password_hash(session, self.caller.user_id)
                if not await self.passwords.verify(current_hash, body.current_password):
                    raise Forbidden("currentPassword is not this account's password.")
                new_hash = await self.passwords.hash(body.password)
            await throttle.succeeded(self.session, guess, self.settings)
        user = await self.session.get_one(User, self.caller.user_id)
        if body.display_name is not MISSING:
            user.display_name = body.display_name
        if new_hash is not None:
            user.password_hash = new_hash
            await tokens.revoke_all_but(self.session, user.id, self.caller.token_id)
        if body.model_fields_set:
            user.updated_at = utcnow()
            await self.session.flush()
        return user_model(user)

    async def list_users(self, *, limit: int = 20, cursor: str | None = None) -> models.UserProfilePage:
        pager = Pager(await self.cursors(), "users", [User.id])
        query = users.visible(self.caller.user_id)
        rows, next_cursor = pager.page(
            (await self.session.scalars(pager.query(query, cursor, limit))).all(), limit, by_id
        )
        items = [models.UserProfile(id=u.id, display_name=u.display_name) for u in rows]
        return models.UserProfilePage(items=items, next_cursor=next_cursor)

    async def get_user(self, *, user_id: int) -> models.UserProfile:
        user = await users.get(self.session, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.")
        return models.UserProfile(id=user.id, display_name=user.display_name)


def _check_email_lengths(email: str) -> None:
    """The limits of RFC 5321 that the contract's pattern leaves to words: 64 and 63 characters."""
    local, _, domain = email.rpartition("@")
    if len(local) > 64 or any(len(label) > 63 for label in domain.split(".")):
        detail = "The local part may have at most 64 characters, and each domain label 63."
        raise Unprocessable(detail, where="body", pointer="/email", code=models.FieldErrorCode.EMAIL_PART_TOO_LONG)
