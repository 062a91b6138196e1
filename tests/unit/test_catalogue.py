"""The service catalogue: checks of the fields, adding and changing services."""

from __future__ import annotations

import pytest

from pyydaapua.catalogue import services
from pyydaapua.catalogue.services import CatalogueError, ServiceData


@pytest.mark.parametrize(
    "phone", ["+358 8 558 45000", "08 5584 5000", "(08) 123-45", "040-123 4567", "116111"]
)
def test_valid_phone(phone) -> None:
    assert services.valid_phone(phone)


@pytest.mark.parametrize("phone", ["", "abc", "+", "040 123 4567 ext 2", "040/123", "1; drop"])
def test_invalid_phone(phone) -> None:
    assert not services.valid_phone(phone)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ouka.fi/perhekeskus",
        "http://example.fi",
        "https://pohde.fi/palvelut?kieli=sv#a",
        "https://ääkkönen.fi/",
        "http://localhost:5000/",
    ],
)
def test_valid_url(url) -> None:
    assert services.valid_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "www.ouka.fi",
        "ftp://ouka.fi",
        "javascript:alert(1)",
        "https://",
        "https://ouka",
        "https://ou ka.fi",
        "https://user:secret@ouka.fi/",
        "https://ouka.fi:port/",
        "https://-ouka.fi",
    ],
)
def test_invalid_url(url) -> None:
    assert not services.valid_url(url)


def data(**overrides) -> ServiceData:
    fields = {"name_fi": "Perheneuvola", "name_sv": "Familjerådgivningen", "provider_type": "city"}
    return ServiceData(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name_fi": " "}, "name_fi"),
        ({"name_sv": ""}, "name_sv"),
        ({"provider_type": "private"}, "provider_type"),
        ({"phone": "call us"}, "phone"),
        ({"url": "ouka.fi"}, "url"),
        ({"email": "nobody"}, "email"),
    ],
)
def test_bad_fields_are_named(overrides, field) -> None:
    with pytest.raises(CatalogueError) as refused:
        data(**overrides).check()
    assert refused.value.field == field


def test_create_and_update_a_service(ctx) -> None:
    service = services.create_service(data(phone="08 123 456", url="https://ouka.fi"))
    assert service.id and service.active
    assert (service.phone, service.url, service.email) == ("08 123 456", "https://ouka.fi", "")
    changed = services.update_service(
        service, data(name_sv="Familjerådgivning", provider="Oulun kaupunki", active=False)
    )
    assert changed == ["name_sv", "provider", "phone", "url", "active"]
    assert service.active is False and service.phone == ""
    assert (
        services.update_service(
            service, data(name_sv="Familjerådgivning", provider="Oulun kaupunki", active=False)
        )
        == []
    )


def test_all_services_includes_inactive_ones_by_name(ctx) -> None:
    services.create_service(data(name_fi="b-palvelu", name_sv="A-tjänst"))
    services.create_service(data(name_fi="A-palvelu", name_sv="B-tjänst", active=False))
    assert [s.name_fi for s in services.all_services("fi")] == ["A-palvelu", "b-palvelu"]
    assert [s.name_sv for s in services.all_services("sv")] == ["A-tjänst", "B-tjänst"]
    # An inactive service is not offered for new referrals.
    assert [s.name_fi for s in services.search_services("palvelu", "fi")] == ["b-palvelu"]
