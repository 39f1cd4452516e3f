from generated import models
from generated.api.tokens import TokensApi
from service.kit.columns import utcnow
from service.kit.handlers import Handlers
from service.kit.problems import Unauthenticated
from service.tokens import queries as tokens
from service.tokens import throttle
from service.users import queries as users


class TokensHandlers(Handlers, TokensApi):
    async def create_token(self, *, body: models.TokenCreate) -> models.Token:
        guess = await throttle.sign_in(self.database, body.email, self.context.request)
        # Admitted first: a sign-in refused for want of room costs nothing more, and is no guess.
        async with self.passwords.admitted():
            await throttle.attempt(self.database, guess, self.settings)
            # Read and verify outside the request's write transaction: Argon2 takes a while, and
            # SQLite's write lock must not be held meanwhile.
            async with self.database.reader() as session, session.begin():
                user = await users.find_by_email(session, body.email)
            valid = await self.passwords.verify(user.password_hash if user else None, body.password)
        if user is None or not valid:
            raise Unauthenticated("The email and password do not match an account.", error=None)
        if user.locked_at is not None:
            raise Unauthenticated("This account is locked: its owner may ask support to unlock it.", error=None)
        await throttle.succeeded(self.session, guess, self.settings)
        expires_at = utcnow() + self.settings.token_ttl
        token = await tokens.issue(self.session, user.id, expires_at)
        return models.Token(access_token=token, token_type=models.TokenType.BEARER, expires_at=expires_at)

    async def revoke_current_token(self) -> None:
        await tokens.revoke(self.session, self.caller.token_id)
