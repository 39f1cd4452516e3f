from generated import models
from generated.api.tokens import TokensApi
from service.kit.handlers import Handlers
from service.kit.problems import Unauthenticated
from service.kit.secrets import verify_password
from service.kit.types import utcnow
from service.tokens import queries as tokens
from service.tokens import throttle
from service.users import queries as users


class TokensHandlers(Handlers, TokensApi):
    async def create_token(self, *, body: models.TokenCreate) -> models.Token:
        # Read and verify outside the request's write transaction: Argon2 takes a while, and
        # SQLite's write lock must not be held meanwhile.
        digest = await throttle.email_digest(self.database, body.email)
        await throttle.attempt(self.database, digest, self.settings)
        async with self.database.reader() as session, session.begin():
            user = await users.find_by_email(session, body.email)
        valid = await verify_password(user.password_hash if user else None, body.password)
        if user is None or not valid:
            raise Unauthenticated("The email and password do not match an account.", error=None)
        await throttle.forget(self.db, digest)
        expires_at = utcnow() + self.settings.token_ttl
        token = await tokens.issue(self.db, user.id, expires_at)
        return models.Token(access_token=token, token_type=models.TokenType.bearer, expires_at=expires_at)

    async def revoke_current_token(self) -> None:
        await tokens.revoke(self.db, self.caller.token_id)
