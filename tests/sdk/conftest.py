import pytest

from tests.sdk import node


@pytest.fixture(scope="module")
def built() -> None:
    """The SDK and its TypeScript tests compiled: once for a module's tests."""
    node.build()
