"""The demo data set behind `clientbase demo`: staff users, and field-service customers with their
locations, assets, asset parts and contacts.

Everything is written through the services, as the admin user, in one transaction, so the demo
obeys the same rules as any other data and a failure leaves the database as it was. The data set is
the same on every run: the few generated values (serial numbers, dates) come from a seeded random
generator. E-mail addresses and websites use the reserved `.example` domain, so no mail can ever
reach a real mailbox, and telephone numbers are in the fictional 555-01xx range."""

from __future__ import annotations

import datetime
import os
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clientbase import groups
from clientbase.contacts.models import Contact
from clientbase.contacts.services import create_contact
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.customers.services import (
    create_asset,
    create_asset_part,
    create_customer,
    create_location,
)
from clientbase.errors import Conflict

PASSWORD_ENV = "CLIENTBASE_ADMIN_PASSWORD"  # noqa: S105 (the name of the variable, not a password)
# Where the password of the staff users came from.
FROM_ARGUMENT, FROM_ENVIRONMENT, GENERATED = "argument", "environment", "generated"
ADMIN_USERNAME = "admin"
SEED = 20240611

# username, first name, last name, group; the first is the superuser every write is made as.
STAFF_USERS: tuple[tuple[str, str, str, str], ...] = (
    (ADMIN_USERNAME, "Alex", "Morgan", groups.ADMINISTRATOR),
    ("dispatcher", "Dana", "Reyes", groups.DISPATCHER),
    ("accounts", "Morgan", "Lee", groups.ACCOUNTS_RECEIVABLE),
    ("technician", "Sam", "Carter", groups.TECHNICIAN),
)


class DemoDataPresent(Conflict):
    """The database already holds customers; the demo loads only into an empty one."""


@dataclass(frozen=True)
class DemoResult:
    """What `load_demo` did. `password` is the one given to the users it created
    (`created_usernames`); users that already existed (`existing_usernames`) were left as they were."""

    admin_username: str
    password: str
    password_generated: bool
    password_source: str  # FROM_ARGUMENT, FROM_ENVIRONMENT or GENERATED
    created_usernames: tuple[str, ...]
    existing_usernames: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)


# Equipment -------------------------------------------------------------------------------------
# In the serial patterns, "#" stands for a digit and "?" for a capital letter.

EQUIPMENT: dict[str, dict[str, Any]] = {
    "rtu_carrier": {
        "name": "Rooftop unit",
        "manufacturer": "Carrier",
        "model": "48FC-D12A2A5",
        "warranty_years": 5,
        "serial": "####G#####",
        "parts": [
            ("Scroll compressor", "ZP54K5E-TF5-830", "##?#####"),
            ("Condenser fan motor", "HC41GE237", "F####-###"),
            ("Economizer controller board", "33ZCSECECO", "EC######"),
        ],
    },
    "rtu_trane": {
        "name": "Rooftop unit",
        "manufacturer": "Trane",
        "model": "YSC120H4RHA",
        "warranty_years": 5,
        "serial": "###########?",
        "parts": [
            ("Scroll compressor", "COM03856", "##?######"),
            ("Supply fan motor", "MOT15452", "M#######"),
            ("ReliaTel controller board", "BRD03452", "RT######"),
        ],
    },
    "chiller_trane": {
        "name": "Centrifugal chiller",
        "manufacturer": "Trane",
        "model": "CVHF0910 CenTraVac",
        "warranty_years": 5,
        "serial": "L##?#####",
        "parts": [
            ("Compressor motor", "MOT18236", "CM######"),
            ("Oil pump", "PMP02345", "OP#####"),
            ("Tracer UC800 controller", "X13651743-01", "UC8######"),
        ],
    },
    "chiller_carrier": {
        "name": "Air-cooled chiller",
        "manufacturer": "Carrier",
        "model": "30RBA120 AquaSnap",
        "warranty_years": 5,
        "serial": "####Q#####",
        "parts": [
            ("Scroll compressor", "00PPG000029100", "##?#####"),
            ("Condenser fan motor", "HD52AR652", "F####-###"),
        ],
    },
    "elevator_otis": {
        "name": "Traction elevator",
        "manufacturer": "Otis",
        "model": "Gen2 Comfort",
        "warranty_years": 2,
        "serial": "OT-#######",
        "parts": [
            ("Door operator", "AT400-GAA24350", "DO######"),
            ("Traction machine", "GAA20220DA1", "TM#####"),
            ("Controller board", "LCB II GCA26800", "CB#######"),
        ],
    },
    "elevator_kone": {
        "name": "Machine-room-less elevator",
        "manufacturer": "KONE",
        "model": "MonoSpace 500",
        "warranty_years": 2,
        "serial": "KN########",
        "parts": [
            ("Door operator", "KES201 KM601300G01", "DO######"),
            ("Controller board", "LCECPU561 KM713700G71", "CB#######"),
        ],
    },
    "fire_notifier": {
        "name": "Fire alarm control panel",
        "manufacturer": "Notifier",
        "model": "NFS2-3030",
        "warranty_years": 3,
        "serial": "NF#######",
        "parts": [
            ("Main CPU board", "CPU2-3030ND", "CPU######"),
            ("Power supply", "AMPS-24", "PS######"),
            ("Standby battery set", "BAT-12550", "B####-##"),
        ],
    },
    "fire_simplex": {
        "name": "Fire alarm control panel",
        "manufacturer": "Simplex",
        "model": "4100ES",
        "warranty_years": 3,
        "serial": "SX########",
        "parts": [
            ("Master controller board", "4100-9702", "MC######"),
            ("Power supply", "4100-5311", "PS######"),
        ],
    },
    "access_lenel": {
        "name": "Access control panel",
        "manufacturer": "LenelS2",
        "model": "LNL-X4420",
        "warranty_years": 2,
        "serial": "X4420-######",
        "parts": [
            ("Intelligent system controller", "LNL-X4420", "ISC######"),
            ("Reader interface module", "LNL-1320", "RIM######"),
            ("Power supply", "AL600ULACM", "AL######"),
        ],
    },
    "access_swh": {
        "name": "Access control panel",
        "manufacturer": "Software House",
        "model": "iSTAR Ultra",
        "warranty_years": 2,
        "serial": "ISU#######",
        "parts": [
            ("Door controller board", "USTAR008", "DC######"),
            ("Reader module", "IP-ACM2", "RM######"),
        ],
    },
    "boiler_cb": {
        "name": "Fire-tube boiler",
        "manufacturer": "Cleaver-Brooks",
        "model": "CBEX Elite 200",
        "warranty_years": 3,
        "serial": "OL-######",
        "parts": [
            ("Burner assembly", "880-02715", "BA#####"),
            ("Flame safeguard controller", "Fireye YB110", "FS######"),
            ("Feedwater pump", "Grundfos CR 3-19", "A9########"),
        ],
    },
    "boiler_lochinvar": {
        "name": "Condensing boiler",
        "manufacturer": "Lochinvar",
        "model": "FTXL FBN1000",
        "warranty_years": 5,
        "serial": "####?#######",
        "parts": [
            ("Circulator pump", "Grundfos UPS 43-100F", "P#######"),
            ("SMART SYSTEM control board", "100170566", "SS######"),
        ],
    },
    "ahu_daikin": {
        "name": "Air handling unit",
        "manufacturer": "Daikin Applied",
        "model": "Vision CAH020",
        "warranty_years": 5,
        "serial": "FBOU########",
        "parts": [
            ("Supply fan motor", "EM3710T", "W##########"),
            ("Variable frequency drive", "ACH580-01-039A-4", "VFD######"),
        ],
    },
    "generator_kohler": {
        "name": "Standby generator",
        "manufacturer": "Kohler",
        "model": "KD800",
        "warranty_years": 5,
        "serial": "SGM32####",
        "parts": [
            ("Automatic transfer switch", "KCS-DCTA-0800S", "ATS######"),
            ("Engine controller", "APM603", "EC######"),
            ("Battery charger", "GM87448", "BC######"),
        ],
    },
    "refrigeration_frick": {
        "name": "Ammonia screw compressor package",
        "manufacturer": "Frick",
        "model": "RWF II 177",
        "warranty_years": 2,
        "serial": "S####?####",
        "parts": [
            ("Compressor motor", "MTR-4450-TEFC", "CM######"),
            ("Quantum HD control panel", "640D0430H01", "QHD######"),
        ],
    },
    "air_compressor_atlas": {
        "name": "Rotary screw air compressor",
        "manufacturer": "Atlas Copco",
        "model": "GA 75 VSD+",
        "warranty_years": 2,
        "serial": "API######",
        "parts": [
            ("Air end", "1616 7503 80", "AE######"),
            ("Elektronikon controller", "1900 0712 81", "EK######"),
            ("Inlet valve", "1622 3647 00", "IV######"),
        ],
    },
    "dock_leveler": {
        "name": "Hydraulic dock leveler",
        "manufacturer": "Rite-Hite",
        "model": "HL-200",
        "warranty_years": 5,
        "serial": "RH######",
        "parts": [("Hydraulic power unit", "HPU-200-1", "HP######")],
    },
}


# Customers -------------------------------------------------------------------------------------
# Each customer: `data` for create_customer, `tag` for asset tags, `locations` (with the equipment
# installed there as (kind, label) or (kind, label, extra asset fields)) and `contacts`. A contact's
# `key` names it for `reports_to` of later contacts; `locations` lists location codes.


def _address(street: str, city: str, region: str, postal_code: str, country: str = "US", street2: str = ""):
    address = {"street": street, "city": city, "region": region, "postal_code": postal_code}
    if street2:
        address["street2"] = street2
    address["country"] = country
    return address


CUSTOMERS: tuple[dict[str, Any], ...] = (
    {
        "tag": "SLH",
        "data": {
            "name": "St. Luke's Health",
            "legal_name": "St. Luke's Health System, Inc.",
            "tax_id": "36-4182957",
            "status": "active",
            "email": "facilities@stlukeshealth.example",
            "phone": "(312) 555-0100",
            "website": "https://www.stlukeshealth.example",
            "billing_address": _address(
                "PO Box 80412", "Chicago", "IL", "60680", street2="Attn: Accounts Payable"
            ),
            "notes": "Hospital group with three campuses. Full-service agreement (HVAC, vertical "
            "transport, life safety); net 45 payment terms; a PO number is required on every "
            "invoice. Joint Commission inspections in March: no planned shutdowns that month.",
        },
        "locations": [
            {
                "name": "Administrative Offices",
                "code": "HQ",
                "address": _address("1200 W Adams St", "Chicago", "IL", "60607", street2="Floors 3-5"),
                "access_notes": "Visitor badge at the 1st floor reception; parking in the Adams St garage.",
                "equipment": [("rtu_carrier", "RTU-1"), ("access_lenel", "(main lobby)")],
            },
            {
                "name": "St. Luke's Main Hospital",
                "code": "MAIN",
                "address": _address("2100 W Harrison St", "Chicago", "IL", "60612"),
                "access_notes": "Loading dock code 4411; check in at security. Infection-control "
                "permit (ICRA) needed for any work above ceilings in patient areas.",
                "equipment": [
                    ("chiller_trane", "CH-1"),
                    ("chiller_trane", "CH-2"),
                    ("boiler_cb", "B-1"),
                    ("elevator_otis", "P1 (patient)"),
                    ("generator_kohler", "GEN-1"),
                    ("fire_notifier", "FACP-1"),
                ],
            },
            {
                "name": "North Campus Medical Pavilion",
                "code": "N-CAMPUS",
                "address": _address("2650 Ridge Ave", "Evanston", "IL", "60201"),
                "access_notes": "Engineering office in basement B12; key box at the east service door.",
                "equipment": [
                    ("ahu_daikin", "AHU-3"),
                    ("elevator_kone", "E1"),
                    ("fire_simplex", "FACP"),
                ],
            },
            {
                "name": "Oak Park Outpatient Clinic",
                "code": "OAK-CLINIC",
                "address": _address("610 S Maple Ave", "Oak Park", "IL", "60304"),
                "access_notes": "Open 7 AM-7 PM weekdays; roof hatch via the 2nd floor storage room.",
                "equipment": [("rtu_trane", "RTU-1"), ("access_swh", "(staff entrance)")],
            },
        ],
        "contacts": [
            {
                "key": "chen",
                "salutation": "Mr.",
                "first_name": "David",
                "last_name": "Chen",
                "title": "Facilities Manager",
                "department": "Facilities Management",
                "roles": ["approver", "requester"],
                "approval_limit": "25000.00",
                "email": "david.chen@stlukeshealth.example",
                "phone": "(312) 555-0142",
                "mobile": "(312) 555-0187",
                "preferred_channel": "email",
                "is_primary": True,
                "notes": "Approves quotes up to $25,000; anything above goes to the CFO's office. "
                "Prefers quotes as PDF attachments, one per work order.",
            },
            {
                "key": "brooks",
                "salutation": "Ms.",
                "first_name": "Angela",
                "last_name": "Brooks",
                "title": "Facilities Manager - North Campus",
                "department": "Facilities Management",
                "roles": ["site", "approver"],
                "approval_limit": "10000.00",
                "email": "angela.brooks@stlukeshealth.example",
                "phone": "(847) 555-0163",
                "mobile": "(847) 555-0178",
                "locations": ["N-CAMPUS"],
                "reports_to": "chen",
            },
            {
                "salutation": "Mr.",
                "first_name": "Mike",
                "last_name": "Johnson",
                "title": "Facilities Technician - Main Hospital",
                "department": "Plant Operations",
                "roles": ["site"],
                "email": "mike.johnson@stlukeshealth.example",
                "phone": "(312) 555-0156",
                "mobile": "312-555-0173",
                "preferred_channel": "sms",
                "locations": ["MAIN"],
                "reports_to": "chen",
                "notes": "Prefers text messages for scheduling. Knows the chiller plant and the "
                "generator room; meets technicians at the loading dock.",
            },
            {
                "first_name": "Tomás",
                "last_name": "Okafor",
                "title": "HVAC Technician - North Campus",
                "department": "Plant Operations",
                "roles": ["site"],
                "email": "tomas.okafor@stlukeshealth.example",
                "mobile": "(847) 555-0134",
                "preferred_channel": "phone",
                "locations": ["N-CAMPUS"],
                "reports_to": "brooks",
            },
            {
                "salutation": "Mr.",
                "first_name": "Robert",
                "last_name": "Taylor",
                "title": "Building Manager - Main Hospital",
                "roles": ["emergency"],
                "email": "robert.taylor@stlukeshealth.example",
                "phone": "(312) 555-0190",
                "mobile": "(312) 555-0199",
                "preferred_channel": "phone",
                "locations": ["MAIN"],
                "notes": "24/7 for after-hours emergencies: call the mobile, then the security desk "
                "at (312) 555-0111.",
            },
            {
                "salutation": "Ms.",
                "first_name": "Lisa",
                "last_name": "Martinez",
                "title": "Office Manager - Oak Park Clinic",
                "roles": ["requester"],
                "email": "lisa.martinez@stlukeshealth.example",
                "phone": "(708) 555-0127",
                "preferred_channel": "phone",
                "locations": ["OAK-CLINIC"],
                "notes": "Only call after 10 AM (morning clinic sessions).",
            },
            {
                "salutation": "Ms.",
                "first_name": "Susan",
                "last_name": "Williams",
                "title": "Accounts Payable Coordinator",
                "department": "Finance",
                "roles": ["billing"],
                "email": "ap@stlukeshealth.example",
                "phone": "312.555.0121",
                "notes": "Invoices by e-mail only, PDF, with the PO number in the subject line.",
            },
        ],
    },
    {
        "tag": "BWP",
        "data": {
            "name": "Brightwater Office Parks",
            "legal_name": "Brightwater Property Holdings LLC",
            "tax_id": "04-3391728",
            "status": "active",
            "email": "operations@brightwaterparks.example",
            "phone": "+1 617 555 0150",
            "website": "https://brightwaterparks.example",
            "billing_address": _address("75 State St", "Boston", "MA", "02109", street2="Suite 1400"),
            "notes": "Owner and operator of suburban office parks. Tenant-facing work only outside "
            "business hours (before 7 AM or after 6 PM).",
        },
        "locations": [
            {
                "name": "Riverside Office Park - Building A",
                "code": "RSP-A",
                "address": _address("100 Riverside Dr", "Newton", "MA", "02466"),
                "access_notes": "Loading dock code 4411; check in at security.",
                "equipment": [
                    ("rtu_carrier", "RTU-A1"),
                    ("rtu_carrier", "RTU-A2"),
                    ("elevator_otis", "Car 1"),
                    ("fire_simplex", "FACP"),
                ],
            },
            {
                "name": "Riverside Office Park - Building B",
                "code": "RSP-B",
                "address": _address("120 Riverside Dr", "Newton", "MA", "02466"),
                "access_notes": "Shares the Building A security desk; mechanical penthouse key "
                "on the blue tag.",
                "equipment": [("rtu_trane", "RTU-B1"), ("access_lenel", "(lobby turnstiles)")],
            },
            {
                "name": "Harbor Point Tower",
                "code": "HARBOR",
                "address": _address("1 Harbor Point Blvd", "Boston", "MA", "02210"),
                "access_notes": "Contractor parking on level P2; sign in at the engineering office, "
                "room B-104. Hot-work permit from the chief engineer.",
                "equipment": [
                    ("chiller_carrier", "CH-1"),
                    ("boiler_lochinvar", "B-1"),
                    ("elevator_kone", "Car 3", {"status": "out_of_service"}),
                    ("access_lenel", "(garage gates)"),
                ],
            },
        ],
        "contacts": [
            {
                "key": "oneill",
                "salutation": "Ms.",
                "first_name": "Karen",
                "last_name": "O'Neill",
                "title": "VP Property Management",
                "roles": ["approver"],
                "approval_limit": "50000.00",
                "email": "koneill@brightwaterparks.example",
                "phone": "+1 617 555 0152",
                "mobile": "+1 617 555 0181",
                "is_primary": True,
            },
            {
                "salutation": "Mr.",
                "first_name": "James",
                "last_name": "Whitaker",
                "title": "Property Manager - Riverside Office Park",
                "roles": ["site", "requester"],
                "email": "jwhitaker@brightwaterparks.example",
                "phone": "(617) 555-0164",
                "mobile": "(617) 555-0175",
                "preferred_channel": "sms",
                "locations": ["RSP-A", "RSP-B"],
                "reports_to": "oneill",
                "notes": "Prefers text messages for scheduling; covers both Riverside buildings.",
            },
            {
                "key": "bell",
                "salutation": "Mr.",
                "first_name": "Marcus",
                "last_name": "Bell",
                "title": "Chief Engineer - Harbor Point",
                "roles": ["site", "emergency"],
                "email": "mbell@brightwaterparks.example",
                "phone": "(617) 555-0138",
                "mobile": "(617) 555-0196",
                "preferred_channel": "phone",
                "locations": ["HARBOR"],
                "reports_to": "oneill",
            },
            {
                "salutation": "Ms.",
                "first_name": "Danielle",
                "last_name": "Ruiz",
                "title": "Accounts Payable Specialist",
                "department": "Accounting",
                "roles": ["billing"],
                "email": "payables@brightwaterparks.example",
                "phone": "+1 617 555 0199",
            },
            {
                "salutation": "Mr.",
                "first_name": "Greg",
                "last_name": "Lindqvist",
                "title": "Property Manager - Harbor Point",
                "roles": ["site", "requester"],
                "email": "glindqvist@brightwaterparks.example",
                "phone": "(617) 555-0147",
                "locations": ["HARBOR"],
                "status": "inactive",
                "notes": "Left Brightwater in March 2024; Marcus Bell covers Harbor Point until a "
                "successor starts.",
            },
        ],
    },
    {
        "tag": "CVSD",
        "data": {
            "name": "Cedar Valley School District",
            "legal_name": "Cedar Valley School District No. 27J",
            "tax_id": "84-6001472",
            "status": "active",
            "email": "operations@cedarvalley.k12.example",
            "phone": "(303) 555-0140",
            "website": "https://www.cedarvalley.k12.example",
            "billing_address": _address("4800 Cedar Valley Pkwy", "Aurora", "CO", "80016"),
            "notes": "Public school district; tax exempt (certificate on file). Major work is "
            "scheduled for school breaks. All technicians need a district visitor badge.",
        },
        "locations": [
            {
                "name": "Cedar Valley High School",
                "code": "CVHS",
                "address": _address("19500 E Arapahoe Rd", "Aurora", "CO", "80016"),
                "access_notes": "Sign in at the main office with photo ID; boiler room via the "
                "east gym corridor. No work in occupied classrooms during school hours.",
                "equipment": [
                    ("boiler_cb", "B-1"),
                    ("boiler_cb", "B-2"),
                    ("rtu_trane", "RTU-4 (gymnasium)"),
                    ("fire_notifier", "FACP"),
                ],
            },
            {
                "name": "Maple Elementary School",
                "code": "MAPLE-ES",
                "address": _address("6250 S Maple Way", "Centennial", "CO", "80016"),
                "access_notes": "Buzz the front office; custodian meets you at door 4.",
                "equipment": [("boiler_lochinvar", "B-1"), ("rtu_carrier", "RTU-1")],
            },
            {
                "name": "District Administration Center",
                "code": "ADMIN",
                "address": _address("4800 Cedar Valley Pkwy", "Aurora", "CO", "80016"),
                "access_notes": "Reception on the 1st floor; server room key from IT (room 118).",
                "equipment": [("rtu_carrier", "RTU-1"), ("access_swh", "(main entrance)")],
            },
        ],
        "contacts": [
            {
                "key": "park",
                "salutation": "Dr.",
                "first_name": "Helen",
                "last_name": "Park",
                "title": "Director of Operations",
                "roles": ["approver"],
                "approval_limit": "15000.00",
                "email": "hpark@cedarvalley.k12.example",
                "phone": "(303) 555-0141",
                "mobile": "(720) 555-0112",
                "is_primary": True,
                "notes": "Board approval needed above $15,000; board meets the 2nd Tuesday monthly.",
            },
            {
                "salutation": "Mr.",
                "first_name": "Ray",
                "last_name": "Delgado",
                "title": "Maintenance Supervisor",
                "department": "Facilities",
                "roles": ["site", "emergency"],
                "email": "rdelgado@cedarvalley.k12.example",
                "phone": "1-303-555-0110",
                "mobile": "(720) 555-0158",
                "preferred_channel": "sms",
                "locations": ["CVHS", "MAPLE-ES"],
                "reports_to": "park",
            },
            {
                "salutation": "Ms.",
                "first_name": "Tiffany",
                "last_name": "Nguyen",
                "title": "Office Manager - Maple Elementary",
                "roles": ["requester"],
                "email": "tnguyen@cedarvalley.k12.example",
                "phone": "(303) 555-0126",
                "preferred_channel": "phone",
                "locations": ["MAPLE-ES"],
                "notes": "Only call after 10 AM; mornings are drop-off and attendance.",
            },
            {
                "salutation": "Ms.",
                "first_name": "Nancy",
                "last_name": "Fowler",
                "title": "Accounts Payable Technician",
                "department": "Business Office",
                "roles": ["billing"],
                "email": "accountspayable@cedarvalley.k12.example",
                "phone": "(303) 555-0133",
                "notes": "Purchase order number required on every invoice; W-9 on file.",
            },
        ],
    },
    {
        "tag": "HVH",
        "data": {
            "name": "Harborview Hotels",
            "legal_name": "Harborview Hospitality Group, LLC",
            "tax_id": "33-0871564",
            "status": "active",
            "email": "engineering@harborviewhotels.example",
            "phone": "(619) 555-0100",
            "website": "https://www.harborviewhotels.example",
            "billing_address": _address("401 W A St", "San Diego", "CA", "92101", street2="Suite 900"),
            "notes": "Boutique hotel chain. Guest-facing work only between 10 AM and 3 PM; "
            "elevator outages need 48 hours' notice to the front office.",
        },
        "locations": [
            {
                "name": "Harborview Downtown San Diego",
                "code": "SD-DT",
                "address": _address("888 Harbor Dr", "San Diego", "CA", "92101"),
                "access_notes": "Service entrance on Pacific Hwy; check in at the security office "
                "next to the receiving dock.",
                "equipment": [
                    ("chiller_carrier", "CH-1"),
                    ("elevator_otis", "Guest car 1"),
                    ("elevator_otis", "Guest car 2"),
                    ("fire_notifier", "FACP"),
                ],
            },
            {
                "name": "Harborview La Jolla",
                "code": "LJ",
                "address": _address("7755 Coast Blvd", "La Jolla", "CA", "92037"),
                "access_notes": "Park in the staff lot on Prospect St; the front desk calls engineering.",
                "equipment": [("rtu_trane", "RTU-1"), ("boiler_lochinvar", "B-2 (pool heater)")],
            },
            {
                "name": "Harborview London Kensington",
                "code": "LDN-KEN",
                "address": _address("27 Cromwell Road", "London", "", "SW7 2HR", country="GB"),
                "access_notes": "Deliveries via the mews entrance at the rear; sign in with the "
                "duty manager.",
                "equipment": [("boiler_cb", "B-1"), ("elevator_kone", "Lift 1")],
            },
        ],
        "contacts": [
            {
                "key": "mendoza",
                "salutation": "Mr.",
                "first_name": "Carlos",
                "last_name": "Mendoza",
                "title": "Regional Director of Engineering",
                "roles": ["approver"],
                "approval_limit": "25000.00",
                "email": "cmendoza@harborviewhotels.example",
                "phone": "(619) 555-0143",
                "mobile": "(619) 555-0188",
                "is_primary": True,
            },
            {
                "salutation": "Ms.",
                "first_name": "Aisha",
                "last_name": "Robinson",
                "title": "Chief Engineer - Downtown San Diego",
                "roles": ["site", "emergency"],
                "email": "arobinson@harborviewhotels.example",
                "phone": "(619) 555-0167",
                "mobile": "(619) 555-0192",
                "preferred_channel": "sms",
                "locations": ["SD-DT"],
                "reports_to": "mendoza",
                "notes": "Prefers text messages for scheduling. On call every other weekend.",
            },
            {
                "salutation": "Ms.",
                "first_name": "Jasmine",
                "last_name": "Patel",
                "title": "Front Office Manager - La Jolla",
                "roles": ["requester", "site"],
                "email": "jpatel@harborviewhotels.example",
                "phone": "(858) 555-0119",
                "locations": ["LJ"],
                "reports_to": "mendoza",
            },
            {
                "salutation": "Mr.",
                "first_name": "Oliver",
                "last_name": "Hughes",
                "title": "Director of Engineering - London Kensington",
                "roles": ["site", "emergency"],
                "email": "ohughes@harborviewhotels.example",
                "phone": "+44 20 7946 0321",
                "mobile": "+44 7700 900123",
                "preferred_channel": "email",
                "locations": ["LDN-KEN"],
                "reports_to": "mendoza",
                "notes": "UK time (GMT/BST), eight hours ahead of San Diego.",
            },
            {
                "salutation": "Ms.",
                "first_name": "Megan",
                "last_name": "Foster",
                "title": "Accounts Payable Coordinator",
                "roles": ["billing"],
                "email": "invoices@harborviewhotels.example",
                "phone": "(619) 555-0124",
            },
        ],
    },
    {
        "tag": "KPM",
        "data": {
            "name": "Kessler Precision Manufacturing",
            "legal_name": "Kessler Precision Manufacturing Inc.",
            "tax_id": "39-2045871",
            "status": "active",
            "email": "maintenance@kesslerprecision.example",
            "phone": "(414) 555-0170",
            "website": "https://www.kesslerprecision.example",
            "billing_address": _address("5400 W Electric Ave", "Milwaukee", "WI", "53219"),
            "notes": "CNC machining plant, US subsidiary of Kessler Präzisionstechnik GmbH "
            "(Stuttgart). Two shifts, 6 AM-10 PM; planned shutdowns only in the first week of July "
            "and between Christmas and New Year.",
        },
        "locations": [
            {
                "name": "Milwaukee Plant",
                "code": "PLANT-1",
                "address": _address("5400 W Electric Ave", "Milwaukee", "WI", "53219"),
                "access_notes": "Safety glasses and steel-toe boots required on the shop floor; "
                "gate code 2580; check in at the shipping office.",
                "equipment": [
                    ("air_compressor_atlas", "AC-1"),
                    ("air_compressor_atlas", "AC-2"),
                    ("rtu_trane", "RTU-1 (offices)"),
                    ("fire_simplex", "FACP"),
                ],
            },
            {
                "name": "Distribution Warehouse",
                "code": "WH",
                "address": _address("5520 W Electric Ave", "Milwaukee", "WI", "53219"),
                "access_notes": "Dock doors 1-6; forklift traffic, wear a hi-vis vest.",
                "equipment": [
                    ("dock_leveler", "(dock 3)"),
                    ("boiler_lochinvar", "B-1"),
                    ("access_lenel", "(dock office)"),
                ],
            },
        ],
        "contacts": [
            {
                "key": "kowalski",
                "salutation": "Mr.",
                "first_name": "Frank",
                "last_name": "Kowalski",
                "title": "Plant Manager",
                "roles": ["approver", "requester"],
                "approval_limit": "40000.00",
                "email": "fkowalski@kesslerprecision.example",
                "phone": "(414) 555-0171",
                "mobile": "(414) 555-0185",
                "is_primary": True,
            },
            {
                "salutation": "Mr.",
                "first_name": "Dennis",
                "last_name": "Schultz",
                "title": "Maintenance Lead",
                "department": "Maintenance",
                "roles": ["site"],
                "email": "dschultz@kesslerprecision.example",
                "phone": "(414) 555-0176",
                "mobile": "(414) 555-0139",
                "preferred_channel": "sms",
                "locations": ["PLANT-1", "WH"],
                "reports_to": "kowalski",
                "notes": "Prefers text messages for scheduling. Lock-out/tag-out briefing before "
                "any work on the compressors.",
            },
            {
                "salutation": "Mr.",
                "first_name": "Tony",
                "last_name": "Russo",
                "title": "Night Shift Supervisor",
                "roles": ["emergency"],
                "email": "trusso@kesslerprecision.example",
                "mobile": "(262) 555-0161",
                "preferred_channel": "phone",
                "locations": ["PLANT-1"],
                "reports_to": "kowalski",
                "notes": "On site 2 PM-10 PM; after 10 PM call his mobile.",
            },
            {
                "salutation": "Ms.",
                "first_name": "Brenda",
                "last_name": "Okonkwo",
                "title": "Accounts Payable Clerk",
                "department": "Finance",
                "roles": ["billing"],
                "email": "ap@kesslerprecision.example",
                "phone": "(414) 555-0177",
            },
            {
                "salutation": "Herr",
                "first_name": "Jürgen",
                "last_name": "Weber",
                "title": "Head of Corporate Engineering (Kessler Präzisionstechnik GmbH)",
                "department": "Corporate Engineering",
                "roles": ["approver"],
                "email": "juergen.weber@kessler-praezision.example",
                "phone": "+49 711 8123 4470",
                "mobile": "+49 170 5551234",
                "notes": "Based in Stuttgart (CET). Approves capital projects above the plant "
                "manager's limit; no limit of his own. Prefers e-mail, in English or German.",
            },
        ],
    },
    {
        "tag": "NGO",
        "data": {
            "name": "Northgate Outfitters",
            "legal_name": "Northgate Outfitters, Inc.",
            "tax_id": "41-1873305",
            "status": "prospect",
            "email": "facilities@northgateoutfitters.example",
            "phone": "(612) 555-0130",
            "website": "https://www.northgateoutfitters.example",
            "billing_address": _address("900 Nicollet Mall", "Minneapolis", "MN", "55402"),
            "notes": "Outdoor-gear retail chain, 14 stores. Evaluating us for HVAC maintenance; "
            "pilot quote for two stores sent, decision expected next quarter.",
        },
        "locations": [
            {
                "name": "Store #112 Ridgedale",
                "code": "S112",
                "address": _address("12401 Wayzata Blvd", "Minnetonka", "MN", "55305"),
                "access_notes": "Mall service corridor C; the store manager opens the roof hatch.",
                "equipment": [("rtu_carrier", "RTU-1"), ("rtu_carrier", "RTU-2")],
            },
            {
                "name": "Store #118 Maplewood",
                "code": "S118",
                "address": _address("3001 White Bear Ave N", "Maplewood", "MN", "55109"),
                "access_notes": "Rear receiving door; ring the bell, deliveries before 11 AM.",
                "equipment": [("rtu_trane", "RTU-1"), ("fire_simplex", "FACP")],
            },
        ],
        "contacts": [
            {
                "salutation": "Ms.",
                "first_name": "Rachel",
                "last_name": "Kim",
                "title": "Director of Store Operations",
                "roles": ["approver", "requester"],
                "approval_limit": "7500.00",
                "email": "rachel.kim@northgateoutfitters.example",
                "phone": "(612) 555-0131",
                "mobile": "(612) 555-0174",
                "is_primary": True,
                "notes": "Decision maker for the maintenance contract; prefers a call before a "
                "quote is sent.",
            },
            {
                "salutation": "Mr.",
                "first_name": "Ben",
                "last_name": "Carlson",
                "title": "Store Manager - Ridgedale",
                "roles": ["site"],
                "email": "store112@northgateoutfitters.example",
                "phone": "(952) 555-0118",
                "locations": ["S112"],
            },
        ],
    },
    {
        "tag": "LCS",
        "data": {
            "name": "Lakeshore Cold Storage",
            "legal_name": "Lakeshore Cold Storage Co.",
            "tax_id": "34-1590276",
            "status": "inactive",
            "email": "office@lakeshorecold.example",
            "phone": "(216) 555-0160",
            "website": "https://lakeshorecold.example",
            "billing_address": _address("5500 Lakeside Ave", "Cleveland", "OH", "44114"),
            "notes": "Refrigerated warehousing. Service agreement ended 2023-06-30 (moved "
            "maintenance in-house); records kept for warranty questions.",
        },
        "locations": [
            {
                "name": "Lakeside Avenue Warehouse",
                "code": "CLE-1",
                "address": _address("5500 Lakeside Ave", "Cleveland", "OH", "44114"),
                "access_notes": "Ammonia machine room: two-person rule, gas monitor required.",
                "equipment": [
                    ("refrigeration_frick", "C-1"),
                    ("refrigeration_frick", "C-2"),
                    ("dock_leveler", "(dock 7)"),
                ],
            },
            {
                "name": "East 55th Street Annex",
                "code": "CLE-2",
                "address": _address("1450 E 55th St", "Cleveland", "OH", "44103"),
                "access_notes": "Building sold in 2023; no longer serviced.",
                "is_active": False,
                "equipment": [("boiler_cb", "B-1", {"status": "retired"}), ("fire_notifier", "FACP")],
            },
        ],
        "contacts": [
            {
                "salutation": "Mr.",
                "first_name": "Paul",
                "last_name": "Novak",
                "title": "Operations Manager",
                "roles": ["approver", "site"],
                "approval_limit": "12000.00",
                "email": "pnovak@lakeshorecold.example",
                "phone": "(216) 555-0162",
                "mobile": "(216) 555-0193",
                "is_primary": True,
            },
            {
                "salutation": "Ms.",
                "first_name": "Sharon",
                "last_name": "Mills",
                "title": "Controller",
                "roles": ["billing"],
                "email": "smills@lakeshorecold.example",
                "phone": "(216) 555-0168",
            },
        ],
    },
)

# A person working for several customers: kept without a customer.
UNAFFILIATED_CONTACTS: tuple[dict[str, Any], ...] = (
    {
        "salutation": "Ms.",
        "first_name": "Priya",
        "last_name": "Raman",
        "title": "Independent Commissioning Agent",
        "department": "Raman Energy Consulting",
        "email": "priya@ramanenergy.example",
        "phone": "(847) 555-0133",
        "preferred_channel": "email",
        "notes": "Commissioning consultant engaged by St. Luke's and Brightwater on new "
        "construction; not an employee of either. When she acts for a customer, add a contact "
        "under that customer.",
    },
)


# Loading ---------------------------------------------------------------------------------------


def _choose_password(admin_password: str | None) -> tuple[str, str]:
    if admin_password:
        return admin_password, FROM_ARGUMENT
    if from_env := os.environ.get(PASSWORD_ENV):
        return from_env, FROM_ENVIRONMENT
    return secrets.token_urlsafe(12), GENERATED


def _fill(pattern: str, rng: random.Random) -> str:
    return "".join(
        str(rng.randrange(10))
        if char == "#"
        else rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
        if char == "?"
        else char
        for char in pattern
    )


def _plus_years(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)  # days are drawn from 1-28, so this always exists


def _write(stdout: IO[str] | Any | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text if text.endswith("\n") else text + "\n")


def _create_staff_users(password: str) -> tuple[Any, list[str], list[str]]:
    """The staff users; answers the admin, the usernames created and those already there (left
    unchanged: their passwords are not reset)."""
    user_model = get_user_model()
    created: list[str] = []
    existing: list[str] = []
    admin = None
    for username, first_name, last_name, group_name in STAFF_USERS:
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist as error:
            raise Conflict(f"The group “{group_name}” is missing; run `clientbase migrate` first.") from error
        user = user_model.objects.filter(username=username).first()
        if user is not None:
            existing.append(username)
        else:
            is_admin = username == ADMIN_USERNAME
            user = user_model.objects.create_user(
                username=username,
                email=f"{username}@fieldservice.example",
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                is_superuser=is_admin,
            )
            user.groups.add(group)
            created.append(username)
        if username == ADMIN_USERNAME:
            admin = user
    if admin is None or not (admin.is_active and admin.is_superuser):
        raise Conflict(
            f"A user “{ADMIN_USERNAME}” already exists and is not an active superuser; the demo "
            "data is written as that user. Load the demo into a fresh database."
        )
    return admin, created, existing


def _create_locations_and_assets(
    customer: Customer, spec: Mapping[str, Any], admin: Any, rng: random.Random
) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    for location_spec in spec["locations"]:
        data = {key: value for key, value in location_spec.items() if key != "equipment"}
        location = create_location(acting_user=admin, data={**data, "customer": customer})
        locations[location.code] = location
        for number, item in enumerate(location_spec["equipment"], start=1):
            _create_asset(location, spec["tag"], number, item, admin, rng)
    return locations


def _create_asset(
    location: Location, tag: str, number: int, item: Sequence[Any], admin: Any, rng: random.Random
) -> Asset:
    kind, label = item[0], item[1]
    extra: dict[str, Any] = dict(item[2]) if len(item) > 2 else {}
    equipment = EQUIPMENT[kind]
    installed_on = datetime.date(rng.randint(2009, 2023), rng.randint(1, 12), rng.randint(1, 28))
    asset = create_asset(
        acting_user=admin,
        data={
            "location": location,
            "name": f"{equipment['name']} {label}",
            "asset_tag": f"{tag}-{location.code}-{number:03d}",
            "serial_number": _fill(equipment["serial"], rng),
            "manufacturer": equipment["manufacturer"],
            "model": equipment["model"],
            "installed_on": installed_on,
            "warranty_until": _plus_years(installed_on, equipment["warranty_years"]),
            **extra,
        },
    )
    for part_name, part_number, serial_pattern in equipment["parts"]:
        # About one part in four was replaced after the asset was installed.
        part_installed_on = installed_on
        if rng.random() < 0.25:
            part_installed_on = min(
                installed_on + datetime.timedelta(days=rng.randint(200, 2500)), datetime.date(2025, 3, 31)
            )
        create_asset_part(
            acting_user=admin,
            data={
                "asset": asset,
                "name": part_name,
                "part_number": part_number,
                "serial_number": _fill(serial_pattern, rng),
                "installed_on": part_installed_on,
            },
        )
    return asset


def _create_contacts(
    customer: Customer | None,
    specs: Sequence[Mapping[str, Any]],
    locations: Mapping[str, Location],
    admin: Any,
) -> list[Contact]:
    by_key: dict[str, Contact] = {}
    contacts: list[Contact] = []
    for spec in specs:
        data = {key: value for key, value in spec.items() if key != "key"}
        data["customer"] = customer
        if "locations" in data:
            data["locations"] = [locations[code] for code in data["locations"]]
        if "reports_to" in data:
            data["reports_to"] = by_key[data["reports_to"]]
        contact = create_contact(acting_user=admin, data=data)
        if "key" in spec:
            by_key[spec["key"]] = contact
        contacts.append(contact)
    return contacts


def demo_counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "locations": Location.objects.count(),
        "assets": Asset.objects.count(),
        "parts": AssetPart.objects.count(),
        "contacts": Contact.objects.count(),
    }


def load_demo(*, stdout: IO[str] | Any | None = None, admin_password: str | None = None) -> DemoResult:
    """Load the demo data set into an empty database, in one transaction.

    Creates the staff users `admin` (superuser), `dispatcher`, `accounts` and `technician` (each in
    its group) with one password: `admin_password`, else $CLIENTBASE_ADMIN_PASSWORD, else a
    generated one. Users that already exist are left unchanged. Raises `DemoDataPresent` (a
    `Conflict`) when any customer exists; nothing is changed then."""
    password, source = _choose_password(admin_password)
    rng = random.Random(SEED)
    with transaction.atomic():
        # Inside the transaction: with SQLite's IMMEDIATE transactions (and the locks of the writes
        # below on PostgreSQL) two concurrent runs cannot both pass this check unnoticed.
        present = Customer.objects.count()
        if present:
            raise DemoDataPresent(
                f"The database already holds {present} customer{'s' if present != 1 else ''}; "
                "the demo data set loads only into an empty database."
            )
        admin, created, existing = _create_staff_users(password)
        for spec in CUSTOMERS:
            customer = create_customer(acting_user=admin, data=spec["data"])
            locations = _create_locations_and_assets(customer, spec, admin, rng)
            contacts = _create_contacts(customer, spec["contacts"], locations, admin)
            _write(
                stdout,
                f"  {customer}: {len(locations)} locations, "
                f"{Asset.objects.filter(location__customer=customer).count()} assets, "
                f"{len(contacts)} contacts",
            )
        _create_contacts(None, UNAFFILIATED_CONTACTS, {}, admin)
        counts = demo_counts()
    return DemoResult(
        admin_username=admin.get_username(),
        password=password,
        password_generated=source == GENERATED,
        password_source=source,
        created_usernames=tuple(created),
        existing_usernames=tuple(existing),
        counts=counts,
    )
