"""What every operation shares: the error shape, cursor pages, ETags, idempotency keys and the rate limit."""

from __future__ import annotations

import io
import zipfile

import pytest

from buurtbalans.api.models import IdempotentRequest
from buurtbalans.api.tests.conftest import bearer
from buurtbalans.core.models import Role
from buurtbalans.portfolio.models import Complex, Dwelling

pytestmark = pytest.mark.django_db


def shape(response) -> dict:
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(set(e) == {"loc", "msg"} and isinstance(e["loc"], list) for e in body["errors"]), body
    return body


def test_every_kind_of_error_has_the_one_shape(client, alice, stock_a, token_for, settings, monkeypatch):
    text = token_for(alice)
    auth = bearer(text)
    assert client.get("/api/v1/complexes").status_code == 401
    shape(client.get("/api/v1/complexes"))
    body = shape(client.get("/api/v1/complexes?limit=5000", **auth))  # 422: pydantic's check of the limit
    assert body["errors"][0]["loc"] == ["query", "limit"]
    shape(client.get("/api/v1/complexes/notanumber", **auth))
    assert client.get("/api/v1/complexes/999999", **auth).status_code == 404
    shape(client.get("/api/v1/complexes/999999", **auth))
    assert client.get("/api/v1/no/such/path", **auth).status_code == 404
    shape(client.get("/api/v1/no/such/path", **auth))
    assert client.put("/api/v1/complexes", **auth).status_code == 405
    shape(client.put("/api/v1/complexes", **auth))
    assert client.get("/api/v1/households", **auth).status_code == 400  # no X-Purpose
    shape(client.get("/api/v1/households", **auth))
    assert client.post("/api/v1/portfolio/imports", **auth).status_code == 422  # no file
    shape(client.post("/api/v1/portfolio/imports", **auth))
    response = _post(client, auth, _zip(""))
    assert response.status_code == 403  # alice may not import
    shape(response)


def test_a_server_error_says_so_without_a_traceback(client, alice, stock_a, token_for, settings, monkeypatch):
    from buurtbalans.api.resources import portfolio

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail A-C1 /work/main/buurtbalans")

    monkeypatch.setattr(portfolio, "api_complex_list", broken)
    for debug in (False, True):
        settings.DEBUG = debug
        response = client.get("/api/v1/complexes", **bearer(token_for(alice)))
        assert response.status_code == 500
        body = shape(response)
        assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
        assert body["errors"] == []


def test_pages_follow_the_cursor_in_a_stable_order(client, ada, stock_a, token_for):
    for i in range(5):
        Complex.objects.create(corporation=stock_a.corporation, external_id=f"X-{i}", name=f"X {i}")
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    seen, url = [], "/api/v1/complexes?limit=2"
    while url:
        page = client.get(url, **auth).json()
        assert len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
        assert url is None or url.startswith("http://testserver/api/v1/complexes?")
    assert seen == sorted(Complex.objects.filter(corporation=stock_a.corporation).values_list("pk", flat=True))
    assert len(seen) == 6
    first = client.get("/api/v1/complexes?limit=2", **auth).json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    # A forged cursor, or one with other filters, is refused.
    assert client.get(f"/api/v1/complexes?limit=2&cursor={cursor}x", **auth).status_code == 400
    response = client.get(f"/api/v1/complexes?limit=2&external_id=X-1&cursor={cursor}", **auth)
    assert response.status_code == 400 and shape(response)["errors"][0]["loc"] == ["query", "cursor"]


def test_filters_narrow_the_listing(client, ada, stock_a, token_for):
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    vacant = client.get("/api/v1/dwellings?status=vacant", **auth).json()["items"]
    assert [d["external_id"] for d in vacant] == ["A-D3"]
    in_complex = client.get(f"/api/v1/dwellings?complex={stock_a.complex.pk}", **auth).json()["items"]
    assert len(in_complex) == 3
    assert client.get("/api/v1/dwellings?status=nonsense", **auth).status_code == 422
    assert client.get("/api/v1/complexes?neighbourhood=BU01930001", **auth).json()["items"][0]["name"] == "Complex A"


def test_a_read_answers_304_when_nothing_changed(client, ada, stock_a, token_for):
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    url = f"/api/v1/dwellings/{stock_a.dwellings[0].pk}"
    first = client.get(url, **auth)
    etag = first["ETag"]
    assert etag.startswith('"') and "no-store" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **auth)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    Dwelling.objects.filter(pk=stock_a.dwellings[0].pk).update(status="vacant")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **auth)
    assert changed.status_code == 200 and changed["ETag"] != etag


def _zip(rows: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("complexes.csv", "external_id;name;neighbourhood\nC-9;Rivierenflats;\n")
        archive.writestr("dwellings.csv", "external_id;complex;street;house_number;postcode;city;base_rent;status\n"
                         + rows)
    return buffer.getvalue()


def _post(client, auth, content: bytes, key: str | None = None, name: str = "stock.zip"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = dict(auth)
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/portfolio/imports", {"file": SimpleUploadedFile(name, content)}, **headers)


def test_the_same_idempotency_key_answers_the_same_and_another_body_is_409(client, ada, token_for, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "write"}))
    good = _zip("D-1;C-9;Rivierstraat;1;8011AA;Zwolle;612,50;verhuurd\n")
    first = _post(client, auth, good, key="nightly-2026-01-01")
    assert first.status_code == 200, first.content
    assert first.json()["counts"]["dwellings"] == {"new": 1, "updated": 0, "unchanged": 0, "rows": None}
    again = _post(client, auth, good, key="nightly-2026-01-01")
    assert again.status_code == 200 and again.content == first.content and again["Idempotent-Replayed"] == "true"
    # Without the key the same file is imported again: nothing new then.
    plain = _post(client, auth, good)
    assert plain.json()["counts"]["dwellings"]["unchanged"] == 1
    other_file = _zip("D-2;C-9;Rivierstraat;3;8011AA;Zwolle;612,50;verhuurd\n")
    other = _post(client, auth, other_file, key="nightly-2026-01-01")
    assert other.status_code == 409 and shape(other)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not Dwelling.objects.filter(external_id="D-2").exists()
    # A refused request is kept too: the same bad file with the same key gets the same 422.
    bad = _zip("D-3;C-9;Rivierstraat;x;8011AA;Zwolle;612,50;verhuurd\n")
    refused = _post(client, auth, bad, key="bad-1")
    assert refused.status_code == 422
    assert _post(client, auth, bad, key="bad-1").content == refused.content
    assert IdempotentRequest.objects.count() == 2


def test_past_the_rate_limit_the_answer_is_429_with_retry_after(client, ada, stock_a, token_for, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    answers = [client.get("/api/v1/complexes", **auth) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert "3" in shape(answers[3])["detail"]
    # Another token has its own count.
    other = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}, name="second"))
    assert client.get("/api/v1/complexes", **other).status_code == 200


def test_a_misspelt_filter_is_refused_rather_than_ignored(client, ada, stock_a, token_for):
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    response = client.get("/api/v1/dwellings?stauts=vacant", **auth)
    assert response.status_code == 422
    assert shape(response)["errors"] == [{"loc": ["query", "stauts"], "msg": response.json()["errors"][0]["msg"]}]


def test_answers_from_outside_the_api_views_get_the_error_shape_too(client, ada, stock_a, token_for):
    """A NUL byte is refused by the site's middleware before the API sees it: still the API's error body."""
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "read"}))
    response = client.get("/api/v1/complexes?external_id=a%00b", **auth)
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    shape(response)


def test_a_key_whose_first_request_is_running_is_409_and_an_abandoned_one_is_free_again(client, ada, token_for,
                                                                                          settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from buurtbalans.api.models import ApiToken

    settings.UPLOAD_DIR = tmp_path
    auth = bearer(token_for(ada, Role.ADMIN, {"portfolio": "write"}))
    good = _zip("D-1;C-9;Rivierstraat;1;8011AA;Zwolle;612,50;verhuurd\n")
    claim = IdempotentRequest.objects.create(token=ApiToken.objects.get(), key="k-1", fingerprint="x")
    running = _post(client, auth, good, key="k-1")
    assert running.status_code == 409 and running["Retry-After"]
    IdempotentRequest.objects.filter(pk=claim.pk).update(created=timezone.now() - timedelta(hours=1))
    assert _post(client, auth, good, key="k-1").status_code == 200
