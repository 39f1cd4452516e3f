"""The open event streams of this process, counted per user and per token, each under its cap."""

from collections import Counter

from service.kit.ratelimits import TooManyRequests

# A slot frees when one of the caller's streams ends; nothing tells when that will be.
RETRY_AFTER_SECONDS = 10


class StreamSlots:
    def __init__(self, per_user: int, per_token: int) -> None:
        self.per_user = per_user
        self.per_token = per_token
        self.users: Counter[int] = Counter()
        self.tokens: Counter[int] = Counter()

    def take(self, user_id: int, token_id: int) -> "Slot":
        """A slot for one more stream of this user and token, or 429."""
        for holder, counts, cap, key in (
            ("token", self.tokens, self.per_token, token_id),
            ("user", self.users, self.per_user, user_id),
        ):
            if counts[key] >= cap:
                raise TooManyRequests(f"This {holder} has {cap} event streams open; close one.", RETRY_AFTER_SECONDS)
        self.users[user_id] += 1
        self.tokens[token_id] += 1
        return Slot(self, user_id, token_id)


class Slot:
    """Held until released, once, by the stream's end (or by its garbage collection if it never ran)."""

    def __init__(self, slots: StreamSlots, user_id: int, token_id: int) -> None:
        self.keys = ((slots.users, user_id), (slots.tokens, token_id))
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            for counts, key in self.keys:
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]

    def __enter__(self) -> "Slot":
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
