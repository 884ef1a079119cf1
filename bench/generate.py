"""The benchmarks' data: a fixed-seed set of realistic customers, locations and contacts.

Contacts are named the way a field-service company's address book is: mostly English names with
French, German, Spanish, Irish, Russian (Cyrillic), Japanese, Chinese and Arabic ones among them
(Lefèvre, Müller, Ольга Иванова, 山田 花子, O'Brien, O'Testy); a few surnames very common (Smith,
García, Müller, Nguyen), then a long tail. Phones are typed as users type them (E.164, national,
dotted, with the 011 international prefix, with an extension) and stored as the application stores
them (`clientbase.phones.normalize_phone`). Customers come in sizes: four with 1% to 1.5% of all
contacts each (10,000+ at 1,000,000), forty large ones, medium ones, and many with 1 to 20.

Every row is written with `bulk_create` in chunks, its derived columns set as `save()` would set
them: `Contact.derive_fields(customer_name=...)`, and for customers and locations
`clientbase.text.search_document` and `fold` of what `keep_search_document` reads.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from clientbase.contacts.models import ROLE_DEFAULT_NOTIFY, ROLES, Contact, ContactLocation
from clientbase.customers.models import (
    CUSTOMER_SEARCHED,
    LOCATION_ADDRESS_SEARCHED,
    LOCATION_SEARCHED,
    Customer,
    Location,
)
from clientbase.phones import normalize_phone
from clientbase.text import fold, search_document

SEED = 20260101
CHUNK = 5000

# (display, e-mail spelling) by culture; the earlier entries of a list are drawn more often
# (weights 1/rank), so the first surnames of the big cultures are the very common ones.
NAMES: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    "en": (
        [
            (n, n.lower())
            for n in [
                "James",
                "Mary",
                "Michael",
                "Patricia",
                "Robert",
                "Jennifer",
                "David",
                "Linda",
                "William",
                "Elizabeth",
                "Richard",
                "Susan",
                "Joseph",
                "Jessica",
                "Thomas",
                "Sarah",
                "Christopher",
                "Karen",
                "Daniel",
                "Lisa",
                "Matthew",
                "Nancy",
                "Anthony",
                "Betty",
                "Mark",
                "Sandra",
                "Steven",
                "Ashley",
                "Kevin",
                "Emily",
                "Brian",
                "Donna",
            ]
        ],
        [
            (n, n.lower())
            for n in [
                "Smith",
                "Johnson",
                "Williams",
                "Brown",
                "Jones",
                "Miller",
                "Davis",
                "Wilson",
                "Anderson",
                "Taylor",
                "Thomas",
                "Moore",
                "Jackson",
                "Martin",
                "Lee",
                "Thompson",
                "White",
                "Harris",
                "Clark",
                "Lewis",
                "Walker",
                "Hall",
                "Young",
                "Allen",
                "King",
                "Wright",
                "Scott",
                "Green",
                "Baker",
                "Adams",
                "Nelson",
                "Hill",
                "Campbell",
                "Mitchell",
            ]
        ],
    ),
    "es": (
        [
            ("José", "jose"),
            ("María", "maria"),
            ("Juan", "juan"),
            ("Lucía", "lucia"),
            ("Carlos", "carlos"),
            ("Sofía", "sofia"),
            ("Andrés", "andres"),
            ("Ana", "ana"),
            ("Javier", "javier"),
            ("Inés", "ines"),
        ],
        [
            ("García", "garcia"),
            ("Rodríguez", "rodriguez"),
            ("Martínez", "martinez"),
            ("López", "lopez"),
            ("Hernández", "hernandez"),
            ("González", "gonzalez"),
            ("Pérez", "perez"),
            ("Sánchez", "sanchez"),
            ("Ramírez", "ramirez"),
            ("Núñez", "nunez"),
        ],
    ),
    "de": (
        [
            ("Jürgen", "juergen"),
            ("Anna", "anna"),
            ("Günther", "guenther"),
            ("Katrin", "katrin"),
            ("Stefan", "stefan"),
            ("Jörg", "joerg"),
            ("Monika", "monika"),
            ("Uwe", "uwe"),
            ("Björn", "bjoern"),
        ],
        [
            ("Müller", "mueller"),
            ("Schmidt", "schmidt"),
            ("Schneider", "schneider"),
            ("Fischer", "fischer"),
            ("Weiß", "weiss"),
            ("Schäfer", "schaefer"),
            ("Köhler", "koehler"),
            ("Groß", "gross"),
            ("Hoffmann", "hoffmann"),
            ("Krüger", "krueger"),
        ],
    ),
    "fr": (
        [
            ("François", "francois"),
            ("Hélène", "helene"),
            ("Amélie", "amelie"),
            ("Jérôme", "jerome"),
            ("Chloé", "chloe"),
            ("Benoît", "benoit"),
            ("Léa", "lea"),
            ("Théo", "theo"),
            ("Céline", "celine"),
        ],
        [
            ("Martin", "martin"),
            ("Dubois", "dubois"),
            ("Lefèvre", "lefevre"),
            ("Moreau", "moreau"),
            ("Girard", "girard"),
            ("Bérénger", "berenger"),
            ("Lefebvre", "lefebvre"),
            ("Fournier", "fournier"),
            ("Mercier", "mercier"),
            ("Rousseau", "rousseau"),
        ],
    ),
    "ie": (
        [
            ("Siobhán", "siobhan"),
            ("Liam", "liam"),
            ("Niamh", "niamh"),
            ("Seán", "sean"),
            ("Aoife", "aoife"),
            ("Ciarán", "ciaran"),
            ("Orla", "orla"),
        ],
        [
            ("O'Brien", "obrien"),
            ("Murphy", "murphy"),
            ("O'Connor", "oconnor"),
            ("Kelly", "kelly"),
            ("O'Testy", "otesty"),
            ("Walsh", "walsh"),
            ("McCarthy", "mccarthy"),
            ("O'Sullivan", "osullivan"),
        ],
    ),
    "vn": (
        [("Minh", "minh"), ("Thảo", "thao"), ("Hùng", "hung"), ("Lan", "lan"), ("Tuấn", "tuan")],
        [("Nguyen", "nguyen"), ("Tran", "tran"), ("Le", "le"), ("Pham", "pham"), ("Hoang", "hoang")],
    ),
    "ru": (
        [
            ("Ольга", "olga"),
            ("Иван", "ivan"),
            ("Дмитрий", "dmitry"),
            ("Наталья", "natalya"),
            ("Сергей", "sergey"),
            ("Анна", "anna"),
            ("Алексей", "alexey"),
        ],
        [
            ("Иванова", "ivanova"),
            ("Смирнов", "smirnov"),
            ("Кузнецова", "kuznetsova"),
            ("Попов", "popov"),
            ("Соколова", "sokolova"),
            ("Лебедев", "lebedev"),
            ("Волкова", "volkova"),
        ],
    ),
    "ja": (
        [("花子", "hanako"), ("太郎", "taro"), ("結衣", "yui"), ("翔", "sho"), ("美咲", "misaki")],
        [("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka")],
    ),
    "zh": (
        [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing")],
        [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")],
    ),
    "ar": (
        [
            ("Ahmed", "ahmed"),
            ("Fatima", "fatima"),
            ("Omar", "omar"),
            ("Layla", "layla"),
            ("Youssef", "youssef"),
        ],
        [("Al-Sayed", "alsayed"), ("Haddad", "haddad"), ("Khoury", "khoury"), ("Mansour", "mansour")],
    ),
}
CULTURE_WEIGHTS = {"en": 48, "es": 12, "de": 9, "fr": 9, "ie": 5, "vn": 4, "ru": 5, "ja": 3, "zh": 3, "ar": 2}
# The long tail of English-speaking surnames: two syllables drawn from these (Harwick, Thornley).
TAIL_SYLLABLES = [
    "har",
    "wick",
    "thorn",
    "ley",
    "brad",
    "shaw",
    "ash",
    "ford",
    "whit",
    "more",
    "ken",
    "dall",
    "ross",
    "ton",
    "pem",
    "ber",
    "cal",
    "ver",
    "hol",
    "den",
    "mar",
    "sh",
    "win",
    "slow",
    "rad",
    "cliff",
    "dun",
    "mere",
    "stan",
    "hope",
    "fair",
    "burn",
]

TITLES = [
    "Facilities Manager",
    "Facilities Technician",
    "Accounts Payable Coordinator",
    "Office Manager",
    "Building Manager",
    "Chief Engineer",
    "Property Manager",
    "Maintenance Supervisor",
    "Purchasing Agent",
    "Operations Director",
    "Site Lead",
    "Energy Manager",
    "Responsable des services généraux",
    "Haustechniker",
    "Jefa de mantenimiento",
    "Главный инженер",
    "施設管理課長",
    "",
]
DEPARTMENTS = [
    "Facilities",
    "Finance",
    "Operations",
    "Procurement",
    "Engineering",
    "Maintenance",
    "Administration",
    "Services généraux",
    "Gebäudemanagement",
    "",
    "",
]
SALUTATIONS = ["", "", "Mr.", "Ms.", "Dr.", "Mrs."]
SECTORS = ["Hospitals", "Offices", "Hotels", "Schools", "Logistics", "Retail", "Properties", "Labs"]
PLACES = [
    "Northwind",
    "Lakeside",
    "Riverside",
    "Summit",
    "Harbor",
    "Pinecrest",
    "Granite",
    "Bluewater",
    "Maplewood",
    "Ironbridge",
    "Société Générale de",
    "Müller & Söhne",
    "Grupo Ibérico",
    "Østfold",
    "Санкт-Петербургские",
    "山田ビル",
    "Crédit Agricole",
    "Zürcher",
]
SUFFIXES = ["Inc.", "LLC", "Group", "GmbH", "S.A.", "Ltd", "Holdings", ""]
CITIES = [
    ("Chicago", "US"),
    ("San Francisco", "US"),
    ("New York", "US"),
    ("Boston", "US"),
    ("Seattle", "US"),
    ("London", "GB"),
    ("Berlin", "DE"),
    ("München", "DE"),
    ("Zürich", "CH"),
    ("Paris", "FR"),
    ("Montréal", "CA"),
    ("São Paulo", "BR"),
    ("Москва", "RU"),
    ("東京", "JP"),
    ("Kraków", "PL"),
]
SITE_KINDS = ["Head Office", "Warehouse", "Plant", "Clinic", "Campus", "Depot", "Branch", "Tower"]
STREETS = ["Main St", "Oak Avenue", "Rue de la Paix", "Hauptstraße", "Calle Mayor", "High Street"]
PERSONAL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "gmx.de", "orange.fr", "mail.ru"]
# Stored country codes and the national numbers drawn for them (the rest of the digits random).
PHONE_COUNTRIES = [("US", 62), ("GB", 10), ("DE", 10), ("FR", 8), ("JP", 4), ("none", 6)]
US_AREAS = ["312", "415", "212", "617", "206", "303", "512", "404"]


@dataclass
class Facts:
    """What the workloads need to know of the generated data."""

    contacts: int = 0
    customers: int = 0
    locations: int = 0
    links: int = 0
    seconds: float = 0.0
    biggest_customers: list[int] = field(default_factory=list)
    # Typed and stored phones of a few contacts, by country: {"US": [("(312) 555-0142",
    # "+13125550142"), ...]}, for searches in another format than stored.
    phones: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "customers": self.customers,
            "locations": self.locations,
            "location_links": self.links,
            "seconds": round(self.seconds, 3),
            "contacts_per_second": round(self.contacts / self.seconds) if self.seconds else None,
        }


class People:
    """Draws names, e-mail addresses and phones from one seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cultures = list(CULTURE_WEIGHTS)
        self.culture_weights = list(CULTURE_WEIGHTS.values())
        self.rank_weights = {
            culture: (
                [1 / (rank + 1) for rank in range(len(firsts))],
                [1 / (rank + 1) for rank in range(len(lasts))],
            )
            for culture, (firsts, lasts) in NAMES.items()
        }

    def name(self) -> tuple[str, str, str, str]:
        """(first name, last name, their e-mail spellings)."""
        rng = self.rng
        culture = rng.choices(self.cultures, self.culture_weights)[0]
        firsts, lasts = NAMES[culture]
        first_weights, last_weights = self.rank_weights[culture]
        first = rng.choices(firsts, first_weights)[0]
        if culture == "en" and rng.random() < 0.5:
            tail = "".join(rng.sample(TAIL_SYLLABLES, 2)).capitalize()
            return first[0], tail, first[1], tail.lower()
        last = rng.choices(lasts, last_weights)[0]
        return first[0], last[0], first[1], last[1]

    def email(self, first: str, last: str, domain: str, taken: set[str]) -> str:
        rng = self.rng
        local = rng.choice(
            [f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last[0]}", f"{last}", f"{first}_{last}"]
        )
        if rng.random() < 0.15:
            domain = rng.choice(PERSONAL_DOMAINS)
        address = f"{local}@{domain}"
        number = 2
        while address.lower() in taken:
            address = f"{local}{number}@{domain}"
            number += 1
        taken.add(address.lower())
        return address

    def phone(self) -> tuple[str, str]:
        """(the phone as typed, as stored); ('', '') for a contact without one."""
        rng = self.rng
        country = rng.choices([c for c, _ in PHONE_COUNTRIES], [w for _, w in PHONE_COUNTRIES])[0]
        if country == "none":
            return "", ""
        for _ in range(20):
            typed = self._typed(country)
            try:
                return typed, normalize_phone(typed)
            except ValidationError:
                continue
        raise RuntimeError(f"no valid {country} number drawn")

    def _typed(self, country: str) -> str:
        rng = self.rng
        digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
        if country == "US":
            area, exchange, line = rng.choice(US_AREAS), f"{rng.randint(200, 989)}", digits(4)
            typed = rng.choice(
                [
                    f"+1{area}{exchange}{line}",
                    f"({area}) {exchange}-{line}",
                    f"{area}.{exchange}.{line}",
                    f"1-{area}-{exchange}-{line}",
                    f"{area} {exchange} {line}",
                ]
            )
            if rng.random() < 0.08:
                typed += rng.choice([f" x{rng.randint(2, 999)}", f" ext. {rng.randint(10, 9999)}"])
            return typed
        if country == "GB":
            number = f"20 7{digits(3)} {digits(4)}"
            return rng.choice([f"+44 {number}", f"011 44 {number}", f"+44{number.replace(' ', '')}"])
        if country == "DE":
            number = f"30 {rng.randint(2, 9)}{digits(7)}"
            return rng.choice([f"+49 {number}", f"011 49 {number}", f"+49-{number.replace(' ', '-')}"])
        if country == "FR":
            number = f"1 {rng.randint(40, 59)} {digits(2)} {digits(2)} {digits(2)}"
            return rng.choice([f"+33 {number}", f"011 33 {number}"])
        number = f"3-{digits(4)}-{digits(4)}"
        return rng.choice([f"+81 {number}", f"011 81 {number}"])


def customer_sizes(rows: int, rng: random.Random) -> list[int]:
    """How many contacts each customer has, biggest first, summing to at most `rows` (the rest are
    contacts without a customer): four very big ones, forty large, medium ones up to 30% of the
    rows, then customers of 1 to 20."""
    sizes = [max(1, int(rows * share)) for share in (0.015, 0.012, 0.011, 0.010)]
    sizes += [max(1, int(rows * rng.uniform(0.001, 0.003))) for _ in range(40)]
    budget = int(rows * 0.995)
    total = sum(sizes)
    while total < rows * 0.30:
        sizes.append(rng.randint(50, 500))
        total += sizes[-1]
    small, weights = range(1, 21), [1 / n for n in range(1, 21)]
    while total < budget:
        sizes.append(rng.choices(small, weights)[0])
        total += sizes[-1]
    while total > budget and sizes:
        cut = min(sizes[-1], total - budget)
        sizes[-1] -= cut
        total -= cut
        if sizes[-1] == 0:
            sizes.pop()
    return sizes


def location_count(size: int, rng: random.Random) -> int:
    if size >= 2000:
        return rng.randint(50, 200)
    if size >= 200:
        return rng.randint(10, 40)
    if size >= 50:
        return rng.randint(3, 10)
    return rng.randint(1, 2)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def generate(rows: int, progress: Callable[[str], None] = lambda message: None, seed: int = SEED) -> Facts:
    """Write `rows` contacts (with their customers, locations and location links) and answer what
    was written. The same `rows` and `seed` give the same data."""
    rng = random.Random(seed)
    people = People(rng)
    facts = Facts()
    started = time.perf_counter()
    sizes = customer_sizes(rows, rng)

    customers: list[Customer] = []
    for n, _size in enumerate(sizes):
        place, sector = rng.choice(PLACES), rng.choice(SECTORS)
        name = f"{place} {sector} {rng.choice(SUFFIXES)}".strip()
        if n % 7 == 0:  # names repeat in real books; a number tells them apart
            name = f"{name} {n}"
        domain = "".join(ch for ch in fold(f"{place}{sector}") if ch.isascii() and ch.isalnum()) or "example"
        customer = Customer(name=name, email=f"info@{domain}.example", status="active")
        customer.search_document = search_document(*(getattr(customer, f) for f in CUSTOMER_SEARCHED))
        customer.folded_name = fold(customer.name)
        customers.append(customer)
    with transaction.atomic():
        for chunk in _chunks(customers, CHUNK):
            Customer.objects.bulk_create(chunk)
        with connection.cursor() as cursor:  # what Customer.save() derives from the primary key
            number = (
                "'C-' || lpad(id::text, 6, '0')"
                if connection.vendor == "postgresql"
                else "printf('C-%06d', id)"
            )
            cursor.execute(f"UPDATE customers_customer SET number = {number} WHERE number IS NULL")
    facts.customers = len(customers)
    facts.biggest_customers = [c.pk for c in customers[:4]]
    progress(f"{len(customers):,} customers")

    locations_of: list[list[Location]] = []
    all_locations: list[Location] = []
    for customer, size in zip(customers, sizes, strict=True):
        own = []
        for k in range(location_count(size, rng)):
            city, country = rng.choice(CITIES)
            street = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
            location = Location(
                customer=customer,
                name=f"{city} {rng.choice(SITE_KINDS)} {k + 1}",
                code=f"L{k + 1:03d}",
                address={"street": street, "city": city, "country": country},
            )
            values = [getattr(location, f) for f in LOCATION_SEARCHED]
            values += [str(location.address.get(key) or "") for key in LOCATION_ADDRESS_SEARCHED]
            location.search_document = search_document(*values)
            location.folded_name = fold(location.name)
            own.append(location)
        locations_of.append(own)
        all_locations += own
    with transaction.atomic():
        for chunk in _chunks(all_locations, CHUNK):
            Location.objects.bulk_create(chunk)
    facts.locations = len(all_locations)
    progress(f"{len(all_locations):,} locations")

    batch: list[Contact] = []
    linked: list[list[Location]] = []
    external = 0
    samples: dict[str, list[tuple[str, str]]] = {}

    def flush() -> None:
        with transaction.atomic():
            created = Contact.objects.bulk_create(batch)
            links = [
                ContactLocation(contact=contact, location=location)
                for contact, places in zip(created, linked, strict=True)
                for location in places
            ]
            ContactLocation.objects.bulk_create(links)
        facts.links += len(links)
        facts.contacts += len(batch)
        batch.clear()
        linked.clear()
        if facts.contacts % (CHUNK * 20) == 0:
            progress(f"{facts.contacts:,} contacts")

    owners: list[tuple[Customer | None, int, list[Location]]] = list(
        zip(customers, sizes, locations_of, strict=True)
    )
    owners.append((None, rows - sum(sizes), []))
    for customer, size, places in owners:
        taken: set[str] = set()
        domain = customer.email.partition("@")[2] if customer is not None else "example.org"
        for k in range(size):
            first, last, first_ascii, last_ascii = people.name()
            typed, stored = people.phone()
            country = (
                "none"
                if not stored
                else next(
                    code
                    for code, prefix in (
                        ("US", "+1"),
                        ("GB", "+44"),
                        ("DE", "+49"),
                        ("FR", "+33"),
                        ("JP", "+81"),
                    )
                    if stored.startswith(prefix)
                )
            )
            if (
                stored
                and ";ext=" not in stored
                and len(samples.setdefault(country, [])) < 20
                and rng.random() < 0.01
            ):
                samples[country].append((typed, stored))
            mobile = people.phone()[1] if rng.random() < 0.25 else ""
            roles = [
                role
                for role, share in zip(ROLES, (0.3, 0.1, 0.05, 0.2, 0.03), strict=True)
                if rng.random() < share
            ]
            contact = Contact(
                customer=customer,
                salutation=rng.choice(SALUTATIONS),
                first_name=first,
                last_name=last,
                title=rng.choice(TITLES),
                department=rng.choice(DEPARTMENTS),
                email=people.email(first_ascii, last_ascii, domain, taken) if rng.random() < 0.93 else "",
                phone=stored,
                mobile=mobile,
                status="inactive" if rng.random() < 0.05 else "active",
                is_primary=customer is not None and k == 0,
                preferred_channel=rng.choice(["email", "email", "email", "phone", "sms"]),
            )
            if contact.is_primary:
                contact.status = "active"
            contact.roles = roles
            for role in roles:
                for category in ROLE_DEFAULT_NOTIFY.get(role, ()):
                    setattr(contact, f"notify_{category}", True)
            if "approver" in roles and rng.random() < 0.7:
                contact.approval_limit = Decimal(rng.choice([1000, 5000, 25000, 100000]))
            if contact.email and rng.random() < 0.01:
                contact.email_status = Contact.EmailStatus.BOUNCED
            if customer is not None and rng.random() < 0.3:
                external += 1
                contact.external_id = f"ERP-{external:07d}"
            contact.derive_fields(customer_name=customer.name if customer is not None else "")
            batch.append(contact)
            linked.append(
                rng.sample(places, 1 if rng.random() < 0.9 else min(2, len(places)))
                if places and rng.random() < 0.5
                else []
            )
            if len(batch) >= CHUNK:
                flush()
    if batch:
        flush()
    facts.phones = samples
    facts.seconds = time.perf_counter() - started
    return facts


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics after a load (of `tables`, else of every table): ANALYZE
    on PostgreSQL, ANALYZE then `PRAGMA optimize` on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables or ("",):
                cursor.execute(f"ANALYZE {table}")
            cursor.execute("PRAGMA optimize")


def main_progress(label: str, started: float) -> Callable[[str], None]:
    def report(message: str) -> None:
        print(f"[{label} {time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    return report
