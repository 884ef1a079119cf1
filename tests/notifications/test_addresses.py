"""How the mails write a postal address (`facts.address_lines`): by the country's convention."""

from __future__ import annotations

import pytest

from clientbase.notifications.facts import address_lines

STREET = {"street": "2100 W Harrison St", "street2": "Floor 3"}


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (
            {**STREET, "city": "Chicago", "region": "IL", "postal_code": "60612", "country": "US"},
            ["2100 W Harrison St", "Floor 3", "Chicago, IL 60612", "US"],
        ),
        (
            {
                "street": "1 Front St W",
                "city": "Toronto",
                "region": "ON",
                "postal_code": "M5J 2X5",
                "country": "ca",
            },
            ["1 Front St W", "Toronto, ON M5J 2X5", "ca"],
        ),
        (
            {"street": "5 rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FR"},
            ["5 rue de Rivoli", "75001 Paris", "FR"],
        ),
        ({"city": "Chicago", "postal_code": "60601"}, ["Chicago 60601"]),  # the default region, US
        ({"city": "Evanston", "region": "IL"}, ["Evanston, IL"]),
        (None, []),
    ],
)
def test_the_town_line_follows_the_countrys_convention(address, lines):
    assert address_lines(address) == lines


def test_without_a_country_the_installations_region_decides(settings):
    settings.CLIENTBASE_DEFAULT_REGION = "DE"
    assert address_lines({"street": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117"}) == [
        "Unter den Linden 1",
        "10117 Berlin",
    ]
