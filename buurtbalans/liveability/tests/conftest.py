import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source text, whatever the Dutch catalogue holds by now."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English (the product is Dutch unless the user switches), so tests read the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
