import pytest


@pytest.mark.smoke
def test_pages_are_dutch_even_for_an_english_browser_until_english_is_chosen(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert 'lang="nl"' in response.text and "Inloggen" in response.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="nl")
    assert 'lang="en"' in response.text and "Log in" in response.text
