import os

import pytest

ROUNDS = int(os.environ.get("RELIABILITY_ROUNDS", "1"))


@pytest.fixture(autouse=True, params=range(1, ROUNDS + 1), ids=lambda n: f"round{n}")
def reliability_round(request: pytest.FixtureRequest) -> int:
    """Every test here, ROUNDS times: a race or a crash that goes right once may not the next time."""
    round_number: int = request.param
    return round_number
