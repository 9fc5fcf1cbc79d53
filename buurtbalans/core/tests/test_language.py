import pytest


@pytest.mark.smoke
def test_pages_are_dutch_even_for_an_english_browser_until_english_is_chosen(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert 'lang="nl"' in response.text and "Inloggen" in response.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="nl")
    assert 'lang="en"' in response.text and "Log in" in response.text


def test_a_role_without_screens_gets_a_welcome_not_a_forbidden_page(client, corporation_a, stock_a):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import PASSWORD, make_user

    make_user("cora", corporation_a, Role.COOPERATIVE_BOARD)
    client.login(username="cora", password=PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    # The work list (issue 14) leads a board member to the cooperative portal; not yet linked, the portal says so.
    assert 'href="/cooperatives/portal/"' in home.text
    assert "A-C1" not in home.text and "Complex A" not in home.text
    response = client.get("/cooperatives/portal/")
    assert response.templates[0].name == "cooperatives/portal_unlinked.html"
