"""NUL bytes in a path or query answer 400 with a plain page, never 500 (issue 11, finding 11).

PostgreSQL refuses NUL in text, so a NUL that reached a lookup (a listing's public key, a sort or status filter)
ended as a database error and HTTP 500.
"""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/verantwoording/ab%00cd/",
        "/allocation/listings/?status=%00",
        "/?sort=name%00",
        "/audit/?subject_id=%00x",
        "/stock/complexes/%00/",
    ],
)
def test_a_nul_byte_in_path_or_query_is_a_bad_request(client, otto, alice, url):
    client.force_login(otto if url.startswith("/audit/") else alice)
    response = client.get(url)
    assert response.status_code == 400
    assert "ongeldig teken" in response.content.decode().lower()


@pytest.mark.django_db
def test_a_nul_byte_in_a_query_key_is_a_bad_request(client, alice):
    client.force_login(alice)
    assert client.get("/?so%00rt=name").status_code == 400


@pytest.mark.django_db
def test_an_ordinary_query_still_works(client, alice):
    client.force_login(alice)
    assert client.get("/?sort=name").status_code == 200
