"""The demo data set as tables: the staff users, the equipment catalogue (models and their parts),
the customers with their locations, the assets installed there, and their contacts, and work orders
in every status of their lifecycle.

Rows name their fields as the services take them; a field left at None is not given, so the service's
default applies. E-mail addresses and websites use the reserved `.example` domain, so no mail can ever
reach a real mailbox, and telephone numbers are in the fictional 555-01xx range."""

from __future__ import annotations

from dataclasses import dataclass

from clientbase import groups

ADMIN_USERNAME = "admin"

# username, first name, last name, group; the first is the superuser every write is made as.
STAFF_USERS: tuple[tuple[str, str, str, str], ...] = (
    (ADMIN_USERNAME, "Alex", "Morgan", groups.ADMINISTRATOR),
    ("dispatcher", "Dana", "Reyes", groups.DISPATCHER),
    ("accounts", "Morgan", "Lee", groups.ACCOUNTS_RECEIVABLE),
    ("technician", "Sam", "Carter", groups.TECHNICIAN),
)


def address(
    street: str, city: str, region: str, postal_code: str, country: str = "US", street2: str = ""
) -> dict[str, str]:
    """A postal address as the services take it: `street2` only when given, `country` last."""
    fields = {"street": street, "city": city, "region": region, "postal_code": postal_code}
    if street2:
        fields["street2"] = street2
    fields["country"] = country
    return fields


@dataclass(frozen=True)
class AssetRow:
    """An asset of the equipment `kind` (a key of EQUIPMENT), named "<equipment name> <label>"."""

    kind: str
    label: str
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocationRow:
    """A location of a customer, with the assets installed there (numbered in this order)."""

    name: str
    code: str
    address: dict[str, str]
    access_notes: str
    is_active: bool | None = None
    assets: tuple[AssetRow, ...]


@dataclass(frozen=True, kw_only=True)
class ContactRow:
    """A contact. `key` names it for `reports_to` of later contacts of the same customer;
    `locations` lists location codes of that customer."""

    key: str | None = None
    salutation: str | None = None
    first_name: str
    last_name: str
    title: str | None = None
    department: str | None = None
    roles: tuple[str, ...] | None = None
    approval_limit: str | None = None
    email: str
    phone: str | None = None
    mobile: str | None = None
    preferred_channel: str | None = None
    is_primary: bool | None = None
    locations: tuple[str, ...] | None = None
    reports_to: str | None = None
    status: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerRow:
    """A customer with its locations and contacts; `tag` starts the asset tags of its assets."""

    tag: str
    name: str
    legal_name: str
    tax_id: str
    status: str
    email: str
    phone: str
    website: str
    billing_address: dict[str, str]
    notes: str
    locations: tuple[LocationRow, ...]
    contacts: tuple[ContactRow, ...]


# Equipment -------------------------------------------------------------------------------------
# In the serial number patterns, "#" stands for a digit and "?" for a capital letter.

# kind: equipment name, manufacturer, model, years of warranty, serial number pattern
EQUIPMENT: dict[str, tuple[str, str, str, int, str]] = {
    "rtu_carrier": ("Rooftop unit", "Carrier", "48FC-D12A2A5", 5, "####G#####"),
    "rtu_trane": ("Rooftop unit", "Trane", "YSC120H4RHA", 5, "###########?"),
    "chiller_trane": ("Centrifugal chiller", "Trane", "CVHF0910 CenTraVac", 5, "L##?#####"),
    "chiller_carrier": ("Air-cooled chiller", "Carrier", "30RBA120 AquaSnap", 5, "####Q#####"),
    "elevator_otis": ("Traction elevator", "Otis", "Gen2 Comfort", 2, "OT-#######"),
    "elevator_kone": ("Machine-room-less elevator", "KONE", "MonoSpace 500", 2, "KN########"),
    "fire_notifier": ("Fire alarm control panel", "Notifier", "NFS2-3030", 3, "NF#######"),
    "fire_simplex": ("Fire alarm control panel", "Simplex", "4100ES", 3, "SX########"),
    "access_lenel": ("Access control panel", "LenelS2", "LNL-X4420", 2, "X4420-######"),
    "access_swh": ("Access control panel", "Software House", "iSTAR Ultra", 2, "ISU#######"),
    "boiler_cb": ("Fire-tube boiler", "Cleaver-Brooks", "CBEX Elite 200", 3, "OL-######"),
    "boiler_lochinvar": ("Condensing boiler", "Lochinvar", "FTXL FBN1000", 5, "####?#######"),
    "ahu_daikin": ("Air handling unit", "Daikin Applied", "Vision CAH020", 5, "FBOU########"),
    "generator_kohler": ("Standby generator", "Kohler", "KD800", 5, "SGM32####"),
    "refrigeration_frick": ("Ammonia screw compressor package", "Frick", "RWF II 177", 2, "S####?####"),
    "air_compressor_atlas": ("Rotary screw air compressor", "Atlas Copco", "GA 75 VSD+", 2, "API######"),
    "dock_leveler": ("Hydraulic dock leveler", "Rite-Hite", "HL-200", 5, "RH######"),
}

# kind: the parts of each asset of that kind (name, part number, serial number pattern)
PARTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "rtu_carrier": (
        ("Scroll compressor", "ZP54K5E-TF5-830", "##?#####"),
        ("Condenser fan motor", "HC41GE237", "F####-###"),
        ("Economizer controller board", "33ZCSECECO", "EC######"),
    ),
    "rtu_trane": (
        ("Scroll compressor", "COM03856", "##?######"),
        ("Supply fan motor", "MOT15452", "M#######"),
        ("ReliaTel controller board", "BRD03452", "RT######"),
    ),
    "chiller_trane": (
        ("Compressor motor", "MOT18236", "CM######"),
        ("Oil pump", "PMP02345", "OP#####"),
        ("Tracer UC800 controller", "X13651743-01", "UC8######"),
    ),
    "chiller_carrier": (
        ("Scroll compressor", "00PPG000029100", "##?#####"),
        ("Condenser fan motor", "HD52AR652", "F####-###"),
    ),
    "elevator_otis": (
        ("Door operator", "AT400-GAA24350", "DO######"),
        ("Traction machine", "GAA20220DA1", "TM#####"),
        ("Controller board", "LCB II GCA26800", "CB#######"),
    ),
    "elevator_kone": (
        ("Door operator", "KES201 KM601300G01", "DO######"),
        ("Controller board", "LCECPU561 KM713700G71", "CB#######"),
    ),
    "fire_notifier": (
        ("Main CPU board", "CPU2-3030ND", "CPU######"),
        ("Power supply", "AMPS-24", "PS######"),
        ("Standby battery set", "BAT-12550", "B####-##"),
    ),
    "fire_simplex": (
        ("Master controller board", "4100-9702", "MC######"),
        ("Power supply", "4100-5311", "PS######"),
    ),
    "access_lenel": (
        ("Intelligent system controller", "LNL-X4420", "ISC######"),
        ("Reader interface module", "LNL-1320", "RIM######"),
        ("Power supply", "AL600ULACM", "AL######"),
    ),
    "access_swh": (
        ("Door controller board", "USTAR008", "DC######"),
        ("Reader module", "IP-ACM2", "RM######"),
    ),
    "boiler_cb": (
        ("Burner assembly", "880-02715", "BA#####"),
        ("Flame safeguard controller", "Fireye YB110", "FS######"),
        ("Feedwater pump", "Grundfos CR 3-19", "A9########"),
    ),
    "boiler_lochinvar": (
        ("Circulator pump", "Grundfos UPS 43-100F", "P#######"),
        ("SMART SYSTEM control board", "100170566", "SS######"),
    ),
    "ahu_daikin": (
        ("Supply fan motor", "EM3710T", "W##########"),
        ("Variable frequency drive", "ACH580-01-039A-4", "VFD######"),
    ),
    "generator_kohler": (
        ("Automatic transfer switch", "KCS-DCTA-0800S", "ATS######"),
        ("Engine controller", "APM603", "EC######"),
        ("Battery charger", "GM87448", "BC######"),
    ),
    "refrigeration_frick": (
        ("Compressor motor", "MTR-4450-TEFC", "CM######"),
        ("Quantum HD control panel", "640D0430H01", "QHD######"),
    ),
    "air_compressor_atlas": (
        ("Air end", "1616 7503 80", "AE######"),
        ("Elektronikon controller", "1900 0712 81", "EK######"),
        ("Inlet valve", "1622 3647 00", "IV######"),
    ),
    "dock_leveler": (("Hydraulic power unit", "HPU-200-1", "HP######"),),
}


# Customers -------------------------------------------------------------------------------------

CUSTOMERS: tuple[CustomerRow, ...] = (
    CustomerRow(
        tag="SLH",
        name="St. Luke's Health",
        legal_name="St. Luke's Health System, Inc.",
        tax_id="36-4182957",
        status="active",
        email="facilities@stlukeshealth.example",
        phone="(312) 555-0100",
        website="https://www.stlukeshealth.example",
        billing_address=address("PO Box 80412", "Chicago", "IL", "60680", street2="Attn: Accounts Payable"),
        notes="Hospital group with three campuses. Full-service agreement (HVAC, vertical transport, life "
        "safety); net 45 payment terms; a PO number is required on every invoice. Joint Commission "
        "inspections in March: no planned shutdowns that month.",
        locations=(
            LocationRow(
                name="Administrative Offices",
                code="HQ",
                address=address("1200 W Adams St", "Chicago", "IL", "60607", street2="Floors 3-5"),
                access_notes="Visitor badge at the 1st floor reception; parking in the Adams St garage.",
                assets=(AssetRow("rtu_carrier", "RTU-1"), AssetRow("access_lenel", "(main lobby)")),
            ),
            LocationRow(
                name="St. Luke's Main Hospital",
                code="MAIN",
                address=address("2100 W Harrison St", "Chicago", "IL", "60612"),
                access_notes="Loading dock code 4411; check in at security. Infection-control permit (ICRA) "
                "needed for any work above ceilings in patient areas.",
                assets=(
                    AssetRow("chiller_trane", "CH-1"),
                    AssetRow("chiller_trane", "CH-2"),
                    AssetRow("boiler_cb", "B-1"),
                    AssetRow("elevator_otis", "P1 (patient)"),
                    AssetRow("generator_kohler", "GEN-1"),
                    AssetRow("fire_notifier", "FACP-1"),
                ),
            ),
            LocationRow(
                name="North Campus Medical Pavilion",
                code="N-CAMPUS",
                address=address("2650 Ridge Ave", "Evanston", "IL", "60201"),
                access_notes="Engineering office in basement B12; key box at the east service door.",
                assets=(
                    AssetRow("ahu_daikin", "AHU-3"),
                    AssetRow("elevator_kone", "E1"),
                    AssetRow("fire_simplex", "FACP"),
                ),
            ),
            LocationRow(
                name="Oak Park Outpatient Clinic",
                code="OAK-CLINIC",
                address=address("610 S Maple Ave", "Oak Park", "IL", "60304"),
                access_notes="Open 7 AM-7 PM weekdays; roof hatch via the 2nd floor storage room.",
                assets=(AssetRow("rtu_trane", "RTU-1"), AssetRow("access_swh", "(staff entrance)")),
            ),
        ),
        contacts=(
            ContactRow(
                key="chen",
                salutation="Mr.",
                first_name="David",
                last_name="Chen",
                title="Facilities Manager",
                department="Facilities Management",
                roles=("approver", "requester"),
                approval_limit="25000.00",
                email="david.chen@stlukeshealth.example",
                phone="(312) 555-0142",
                mobile="(312) 555-0187",
                preferred_channel="email",
                is_primary=True,
                notes="Approves quotes up to $25,000; anything above goes to the CFO's office. Prefers "
                "quotes as PDF attachments, one per work order.",
            ),
            ContactRow(
                key="brooks",
                salutation="Ms.",
                first_name="Angela",
                last_name="Brooks",
                title="Facilities Manager - North Campus",
                department="Facilities Management",
                roles=("site", "approver"),
                approval_limit="10000.00",
                email="angela.brooks@stlukeshealth.example",
                phone="(847) 555-0163",
                mobile="(847) 555-0178",
                locations=("N-CAMPUS",),
                reports_to="chen",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Mike",
                last_name="Johnson",
                title="Facilities Technician - Main Hospital",
                department="Plant Operations",
                roles=("site",),
                email="mike.johnson@stlukeshealth.example",
                phone="(312) 555-0156",
                mobile="312-555-0173",
                preferred_channel="sms",
                locations=("MAIN",),
                reports_to="chen",
                notes="Prefers text messages for scheduling. Knows the chiller plant and the generator "
                "room; meets technicians at the loading dock.",
            ),
            ContactRow(
                first_name="Tomás",
                last_name="Okafor",
                title="HVAC Technician - North Campus",
                department="Plant Operations",
                roles=("site",),
                email="tomas.okafor@stlukeshealth.example",
                mobile="(847) 555-0134",
                preferred_channel="phone",
                locations=("N-CAMPUS",),
                reports_to="brooks",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Robert",
                last_name="Taylor",
                title="Building Manager - Main Hospital",
                roles=("emergency",),
                email="robert.taylor@stlukeshealth.example",
                phone="(312) 555-0190",
                mobile="(312) 555-0199",
                preferred_channel="phone",
                locations=("MAIN",),
                notes="24/7 for after-hours emergencies: call the mobile, then the security desk at (312) "
                "555-0111.",
            ),
            # Entered again by a busy dispatcher: the same person as Robert Taylor (a nickname, his
            # mobile number as the phone), without a mobile number; the data-quality page lists the
            # pair, and merging it into Robert Taylor clears both findings.
            ContactRow(
                first_name="Bob",
                last_name="Taylor",
                title="Building Manager",
                roles=("emergency",),
                email="bob.taylor@stlukeshealth.example",
                phone="(312) 555-0199",
                preferred_channel="phone",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Lisa",
                last_name="Martinez",
                title="Office Manager - Oak Park Clinic",
                roles=("requester",),
                email="lisa.martinez@stlukeshealth.example",
                phone="(708) 555-0127",
                preferred_channel="phone",
                locations=("OAK-CLINIC",),
                notes="Only call after 10 AM (morning clinic sessions).",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Susan",
                last_name="Williams",
                title="Accounts Payable Coordinator",
                department="Finance",
                roles=("billing",),
                email="ap@stlukeshealth.example",
                phone="312.555.0121",
                notes="Invoices by e-mail only, PDF, with the PO number in the subject line.",
            ),
        ),
    ),
    CustomerRow(
        tag="BWP",
        name="Brightwater Office Parks",
        legal_name="Brightwater Property Holdings LLC",
        tax_id="04-3391728",
        status="active",
        email="operations@brightwaterparks.example",
        phone="+1 617 555 0150",
        website="https://brightwaterparks.example",
        billing_address=address("75 State St", "Boston", "MA", "02109", street2="Suite 1400"),
        notes="Owner and operator of suburban office parks. Tenant-facing work only outside business hours "
        "(before 7 AM or after 6 PM).",
        locations=(
            LocationRow(
                name="Riverside Office Park - Building A",
                code="RSP-A",
                address=address("100 Riverside Dr", "Newton", "MA", "02466"),
                access_notes="Loading dock code 4411; check in at security.",
                assets=(
                    AssetRow("rtu_carrier", "RTU-A1"),
                    AssetRow("rtu_carrier", "RTU-A2"),
                    AssetRow("elevator_otis", "Car 1"),
                    AssetRow("fire_simplex", "FACP"),
                ),
            ),
            LocationRow(
                name="Riverside Office Park - Building B",
                code="RSP-B",
                address=address("120 Riverside Dr", "Newton", "MA", "02466"),
                access_notes="Shares the Building A security desk; mechanical penthouse key on the blue tag.",
                assets=(AssetRow("rtu_trane", "RTU-B1"), AssetRow("access_lenel", "(lobby turnstiles)")),
            ),
            LocationRow(
                name="Harbor Point Tower",
                code="HARBOR",
                address=address("1 Harbor Point Blvd", "Boston", "MA", "02210"),
                access_notes="Contractor parking on level P2; sign in at the engineering office, room "
                "B-104. Hot-work permit from the chief engineer.",
                assets=(
                    AssetRow("chiller_carrier", "CH-1"),
                    AssetRow("boiler_lochinvar", "B-1"),
                    AssetRow("elevator_kone", "Car 3", status="out_of_service"),
                    AssetRow("access_lenel", "(garage gates)"),
                ),
            ),
        ),
        contacts=(
            ContactRow(
                key="oneill",
                salutation="Ms.",
                first_name="Karen",
                last_name="O'Neill",
                title="VP Property Management",
                roles=("approver",),
                approval_limit="50000.00",
                email="koneill@brightwaterparks.example",
                phone="+1 617 555 0152",
                mobile="+1 617 555 0181",
                is_primary=True,
            ),
            ContactRow(
                salutation="Mr.",
                first_name="James",
                last_name="Whitaker",
                title="Property Manager - Riverside Office Park",
                roles=("site", "requester"),
                email="jwhitaker@brightwaterparks.example",
                phone="(617) 555-0164",
                mobile="(617) 555-0175",
                preferred_channel="sms",
                locations=("RSP-A", "RSP-B"),
                reports_to="oneill",
                notes="Prefers text messages for scheduling; covers both Riverside buildings.",
            ),
            ContactRow(
                key="bell",
                salutation="Mr.",
                first_name="Marcus",
                last_name="Bell",
                title="Chief Engineer - Harbor Point",
                roles=("site", "emergency"),
                email="mbell@brightwaterparks.example",
                phone="(617) 555-0138",
                mobile="(617) 555-0196",
                preferred_channel="phone",
                locations=("HARBOR",),
                reports_to="oneill",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Danielle",
                last_name="Ruiz",
                title="Accounts Payable Specialist",
                department="Accounting",
                roles=("billing",),
                email="payables@brightwaterparks.example",
                phone="+1 617 555 0199",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Greg",
                last_name="Lindqvist",
                title="Property Manager - Harbor Point",
                roles=("site", "requester"),
                email="glindqvist@brightwaterparks.example",
                phone="(617) 555-0147",
                locations=("HARBOR",),
                status="inactive",
                notes="Left Brightwater in March 2024; Marcus Bell covers Harbor Point until a successor "
                "starts.",
            ),
        ),
    ),
    CustomerRow(
        tag="CVSD",
        name="Cedar Valley School District",
        legal_name="Cedar Valley School District No. 27J",
        tax_id="84-6001472",
        status="active",
        email="operations@cedarvalley.k12.example",
        phone="(303) 555-0140",
        website="https://www.cedarvalley.k12.example",
        billing_address=address("4800 Cedar Valley Pkwy", "Aurora", "CO", "80016"),
        notes="Public school district; tax exempt (certificate on file). Major work is scheduled for school "
        "breaks. All technicians need a district visitor badge.",
        locations=(
            LocationRow(
                name="Cedar Valley High School",
                code="CVHS",
                address=address("19500 E Arapahoe Rd", "Aurora", "CO", "80016"),
                access_notes="Sign in at the main office with photo ID; boiler room via the east gym "
                "corridor. No work in occupied classrooms during school hours.",
                assets=(
                    AssetRow("boiler_cb", "B-1"),
                    AssetRow("boiler_cb", "B-2"),
                    AssetRow("rtu_trane", "RTU-4 (gymnasium)"),
                    AssetRow("fire_notifier", "FACP"),
                ),
            ),
            LocationRow(
                name="Maple Elementary School",
                code="MAPLE-ES",
                address=address("6250 S Maple Way", "Centennial", "CO", "80016"),
                access_notes="Buzz the front office; custodian meets you at door 4.",
                assets=(AssetRow("boiler_lochinvar", "B-1"), AssetRow("rtu_carrier", "RTU-1")),
            ),
            LocationRow(
                name="District Administration Center",
                code="ADMIN",
                address=address("4800 Cedar Valley Pkwy", "Aurora", "CO", "80016"),
                access_notes="Reception on the 1st floor; server room key from IT (room 118).",
                assets=(AssetRow("rtu_carrier", "RTU-1"), AssetRow("access_swh", "(main entrance)")),
            ),
        ),
        contacts=(
            ContactRow(
                key="park",
                salutation="Dr.",
                first_name="Helen",
                last_name="Park",
                title="Director of Operations",
                roles=("approver",),
                approval_limit="15000.00",
                email="hpark@cedarvalley.k12.example",
                phone="(303) 555-0141",
                mobile="(720) 555-0112",
                is_primary=True,
                notes="Board approval needed above $15,000; board meets the 2nd Tuesday monthly.",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Ray",
                last_name="Delgado",
                title="Maintenance Supervisor",
                department="Facilities",
                roles=("site", "emergency"),
                email="rdelgado@cedarvalley.k12.example",
                phone="1-303-555-0110",
                mobile="(720) 555-0158",
                preferred_channel="sms",
                locations=("CVHS", "MAPLE-ES"),
                reports_to="park",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Tiffany",
                last_name="Nguyen",
                title="Office Manager - Maple Elementary",
                roles=("requester",),
                email="tnguyen@cedarvalley.k12.example",
                phone="(303) 555-0126",
                preferred_channel="phone",
                locations=("MAPLE-ES",),
                notes="Only call after 10 AM; mornings are drop-off and attendance.",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Nancy",
                last_name="Fowler",
                title="Accounts Payable Technician",
                department="Business Office",
                roles=("billing",),
                email="accountspayable@cedarvalley.k12.example",
                phone="(303) 555-0133",
                notes="Purchase order number required on every invoice; W-9 on file.",
            ),
        ),
    ),
    CustomerRow(
        tag="HVH",
        name="Harborview Hotels",
        legal_name="Harborview Hospitality Group, LLC",
        tax_id="33-0871564",
        status="active",
        email="engineering@harborviewhotels.example",
        phone="(619) 555-0100",
        website="https://www.harborviewhotels.example",
        billing_address=address("401 W A St", "San Diego", "CA", "92101", street2="Suite 900"),
        notes="Boutique hotel chain. Guest-facing work only between 10 AM and 3 PM; elevator outages need "
        "48 hours' notice to the front office.",
        locations=(
            LocationRow(
                name="Harborview Downtown San Diego",
                code="SD-DT",
                address=address("888 Harbor Dr", "San Diego", "CA", "92101"),
                access_notes="Service entrance on Pacific Hwy; check in at the security office next to the "
                "receiving dock.",
                assets=(
                    AssetRow("chiller_carrier", "CH-1"),
                    AssetRow("elevator_otis", "Guest car 1"),
                    AssetRow("elevator_otis", "Guest car 2"),
                    AssetRow("fire_notifier", "FACP"),
                ),
            ),
            LocationRow(
                name="Harborview La Jolla",
                code="LJ",
                address=address("7755 Coast Blvd", "La Jolla", "CA", "92037"),
                access_notes="Park in the staff lot on Prospect St; the front desk calls engineering.",
                assets=(AssetRow("rtu_trane", "RTU-1"), AssetRow("boiler_lochinvar", "B-2 (pool heater)")),
            ),
            LocationRow(
                name="Harborview London Kensington",
                code="LDN-KEN",
                address=address("27 Cromwell Road", "London", "", "SW7 2HR", country="GB"),
                access_notes="Deliveries via the mews entrance at the rear; sign in with the duty manager.",
                assets=(AssetRow("boiler_cb", "B-1"), AssetRow("elevator_kone", "Lift 1")),
            ),
        ),
        contacts=(
            ContactRow(
                key="mendoza",
                salutation="Mr.",
                first_name="Carlos",
                last_name="Mendoza",
                title="Regional Director of Engineering",
                roles=("approver",),
                approval_limit="25000.00",
                email="cmendoza@harborviewhotels.example",
                phone="(619) 555-0143",
                mobile="(619) 555-0188",
                is_primary=True,
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Aisha",
                last_name="Robinson",
                title="Chief Engineer - Downtown San Diego",
                roles=("site", "emergency"),
                email="arobinson@harborviewhotels.example",
                phone="(619) 555-0167",
                mobile="(619) 555-0192",
                preferred_channel="sms",
                locations=("SD-DT",),
                reports_to="mendoza",
                notes="Prefers text messages for scheduling. On call every other weekend.",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Jasmine",
                last_name="Patel",
                title="Front Office Manager - La Jolla",
                roles=("requester", "site"),
                email="jpatel@harborviewhotels.example",
                phone="(858) 555-0119",
                locations=("LJ",),
                reports_to="mendoza",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Oliver",
                last_name="Hughes",
                title="Director of Engineering - London Kensington",
                roles=("site", "emergency"),
                email="ohughes@harborviewhotels.example",
                phone="+44 20 7946 0321",
                mobile="+44 7911 123456",
                preferred_channel="email",
                locations=("LDN-KEN",),
                reports_to="mendoza",
                notes="UK time (GMT/BST), eight hours ahead of San Diego.",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Megan",
                last_name="Foster",
                title="Accounts Payable Coordinator",
                roles=("billing",),
                email="invoices@harborviewhotels.example",
                phone="(619) 555-0124",
            ),
        ),
    ),
    CustomerRow(
        tag="KPM",
        name="Kessler Precision Manufacturing",
        legal_name="Kessler Precision Manufacturing Inc.",
        tax_id="39-2045871",
        status="active",
        email="maintenance@kesslerprecision.example",
        phone="(414) 555-0170",
        website="https://www.kesslerprecision.example",
        billing_address=address("5400 W Electric Ave", "Milwaukee", "WI", "53219"),
        notes="CNC machining plant, US subsidiary of Kessler Präzisionstechnik GmbH (Stuttgart). Two "
        "shifts, 6 AM-10 PM; planned shutdowns only in the first week of July and between Christmas and New "
        "Year.",
        locations=(
            LocationRow(
                name="Milwaukee Plant",
                code="PLANT-1",
                address=address("5400 W Electric Ave", "Milwaukee", "WI", "53219"),
                access_notes="Safety glasses and steel-toe boots required on the shop floor; gate code "
                "2580; check in at the shipping office.",
                assets=(
                    AssetRow("air_compressor_atlas", "AC-1"),
                    AssetRow("air_compressor_atlas", "AC-2"),
                    AssetRow("rtu_trane", "RTU-1 (offices)"),
                    AssetRow("fire_simplex", "FACP"),
                ),
            ),
            LocationRow(
                name="Distribution Warehouse",
                code="WH",
                address=address("5520 W Electric Ave", "Milwaukee", "WI", "53219"),
                access_notes="Dock doors 1-6; forklift traffic, wear a hi-vis vest.",
                assets=(
                    AssetRow("dock_leveler", "(dock 3)"),
                    AssetRow("boiler_lochinvar", "B-1"),
                    AssetRow("access_lenel", "(dock office)"),
                ),
            ),
        ),
        contacts=(
            ContactRow(
                key="kowalski",
                salutation="Mr.",
                first_name="Frank",
                last_name="Kowalski",
                title="Plant Manager",
                roles=("approver", "requester"),
                approval_limit="40000.00",
                email="fkowalski@kesslerprecision.example",
                phone="(414) 555-0171",
                mobile="(414) 555-0185",
                is_primary=True,
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Dennis",
                last_name="Schultz",
                title="Maintenance Lead",
                department="Maintenance",
                roles=("site",),
                email="dschultz@kesslerprecision.example",
                phone="(414) 555-0176",
                mobile="(414) 555-0139",
                preferred_channel="sms",
                locations=("PLANT-1", "WH"),
                reports_to="kowalski",
                notes="Prefers text messages for scheduling. Lock-out/tag-out briefing before any work on "
                "the compressors.",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Tony",
                last_name="Russo",
                title="Night Shift Supervisor",
                roles=("emergency",),
                email="trusso@kesslerprecision.example",
                mobile="(262) 555-0161",
                preferred_channel="phone",
                locations=("PLANT-1",),
                reports_to="kowalski",
                notes="On site 2 PM-10 PM; after 10 PM call his mobile.",
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Brenda",
                last_name="Okonkwo",
                title="Accounts Payable Clerk",
                department="Finance",
                roles=("billing",),
                email="ap@kesslerprecision.example",
                phone="(414) 555-0177",
            ),
            ContactRow(
                salutation="Herr",
                first_name="Jürgen",
                last_name="Weber",
                title="Head of Corporate Engineering (Kessler Präzisionstechnik GmbH)",
                department="Corporate Engineering",
                roles=("approver",),
                email="juergen.weber@kessler-praezision.example",
                phone="+49 711 8123 4470",
                mobile="+49 170 5551234",
                notes="Based in Stuttgart (CET). Approves capital projects above the plant manager's limit; "
                "no limit of his own. Prefers e-mail, in English or German.",
            ),
        ),
    ),
    CustomerRow(
        tag="NGO",
        name="Northgate Outfitters",
        legal_name="Northgate Outfitters, Inc.",
        tax_id="41-1873305",
        status="prospect",
        email="facilities@northgateoutfitters.example",
        phone="(612) 555-0130",
        website="https://www.northgateoutfitters.example",
        billing_address=address("900 Nicollet Mall", "Minneapolis", "MN", "55402"),
        notes="Outdoor-gear retail chain, 14 stores. Evaluating us for HVAC maintenance; pilot quote for "
        "two stores sent, decision expected next quarter.",
        locations=(
            LocationRow(
                name="Store #112 Ridgedale",
                code="S112",
                address=address("12401 Wayzata Blvd", "Minnetonka", "MN", "55305"),
                access_notes="Mall service corridor C; the store manager opens the roof hatch.",
                assets=(AssetRow("rtu_carrier", "RTU-1"), AssetRow("rtu_carrier", "RTU-2")),
            ),
            LocationRow(
                name="Store #118 Maplewood",
                code="S118",
                address=address("3001 White Bear Ave N", "Maplewood", "MN", "55109"),
                access_notes="Rear receiving door; ring the bell, deliveries before 11 AM.",
                assets=(AssetRow("rtu_trane", "RTU-1"), AssetRow("fire_simplex", "FACP")),
            ),
        ),
        contacts=(
            ContactRow(
                salutation="Ms.",
                first_name="Rachel",
                last_name="Kim",
                title="Director of Store Operations",
                roles=("approver", "requester"),
                approval_limit="7500.00",
                email="rachel.kim@northgateoutfitters.example",
                phone="(612) 555-0131",
                mobile="(612) 555-0174",
                is_primary=True,
                notes="Decision maker for the maintenance contract; prefers a call before a quote is sent.",
            ),
            ContactRow(
                salutation="Mr.",
                first_name="Ben",
                last_name="Carlson",
                title="Store Manager - Ridgedale",
                roles=("site",),
                email="store112@northgateoutfitters.example",
                phone="(952) 555-0118",
                locations=("S112",),
            ),
        ),
    ),
    CustomerRow(
        tag="LCS",
        name="Lakeshore Cold Storage",
        legal_name="Lakeshore Cold Storage Co.",
        tax_id="34-1590276",
        status="inactive",
        email="office@lakeshorecold.example",
        phone="(216) 555-0160",
        website="https://lakeshorecold.example",
        billing_address=address("5500 Lakeside Ave", "Cleveland", "OH", "44114"),
        notes="Refrigerated warehousing. Service agreement ended 2023-06-30 (moved maintenance in-house); "
        "records kept for warranty questions.",
        locations=(
            LocationRow(
                name="Lakeside Avenue Warehouse",
                code="CLE-1",
                address=address("5500 Lakeside Ave", "Cleveland", "OH", "44114"),
                access_notes="Ammonia machine room: two-person rule, gas monitor required.",
                assets=(
                    AssetRow("refrigeration_frick", "C-1"),
                    AssetRow("refrigeration_frick", "C-2"),
                    AssetRow("dock_leveler", "(dock 7)"),
                ),
            ),
            LocationRow(
                name="East 55th Street Annex",
                code="CLE-2",
                address=address("1450 E 55th St", "Cleveland", "OH", "44103"),
                access_notes="Building sold in 2023; no longer serviced.",
                is_active=False,
                assets=(AssetRow("boiler_cb", "B-1", status="retired"), AssetRow("fire_notifier", "FACP")),
            ),
        ),
        contacts=(
            ContactRow(
                salutation="Mr.",
                first_name="Paul",
                last_name="Novak",
                title="Operations Manager",
                roles=("approver", "site"),
                approval_limit="12000.00",
                email="pnovak@lakeshorecold.example",
                phone="(216) 555-0162",
                mobile="(216) 555-0193",
                is_primary=True,
            ),
            ContactRow(
                salutation="Ms.",
                first_name="Sharon",
                last_name="Mills",
                title="Controller",
                roles=("billing",),
                email="smills@lakeshorecold.example",
                phone="(216) 555-0168",
            ),
        ),
    ),
)

# A person working for several customers: kept without a customer.
UNAFFILIATED_CONTACTS: tuple[ContactRow, ...] = (
    ContactRow(
        salutation="Ms.",
        first_name="Priya",
        last_name="Raman",
        title="Independent Commissioning Agent",
        department="Raman Energy Consulting",
        email="priya@ramanenergy.example",
        phone="(847) 555-0133",
        preferred_channel="email",
        notes="Commissioning consultant engaged by St. Luke's and Brightwater on new construction; not an "
        "employee of either. When she acts for a customer, add a contact under that customer.",
    ),
)


@dataclass(frozen=True, kw_only=True)
class WorkOrderRow:
    """A work order of the customer named `customer`, at the location with `location` as its code,
    on the asset there whose name ends with `asset`, requested by the contact whose e-mail address
    is `requested_by`; taken through its lifecycle to `status` (scheduled, then started, then
    completed; or cancelled). Days count from the day the demo is loaded: opened `opened_days_ago`
    days before it, the visit `visit_days` days after it (negative: before) at `visit_hour` o'clock
    for `visit_hours` hours, by the staff user `technician`."""

    customer: str
    location: str
    asset: str | None = None
    summary: str
    description: str = ""
    requested_by: str | None = None
    status: str
    opened_days_ago: int = 0
    visit_days: int | None = None
    visit_hour: int = 9
    visit_hours: int = 2
    technician: str | None = None
    completion_note: str = ""
    cancel_reason: str = ""


# Work orders, one or more in each status, newest last.
WORK_ORDERS: tuple[WorkOrderRow, ...] = (
    WorkOrderRow(
        customer="St. Luke's Health",
        location="MAIN",
        asset="CH-2",
        summary="Chiller CH-2 trips on high head pressure",
        description="Tripped three times overnight; the plant is running on CH-1 alone.",
        requested_by="david.chen@stlukeshealth.example",
        status="completed",
        opened_days_ago=12,
        visit_days=-11,
        visit_hour=7,
        visit_hours=4,
        technician="technician",
        completion_note="Cleaned the condenser tubes and reset the high-pressure cutout; head pressure "
        "back to 180 psi at full load. Recommend an eddy-current test at the next annual service.",
    ),
    WorkOrderRow(
        customer="St. Luke's Health",
        location="MAIN",
        asset="P1 (patient)",
        summary="Elevator P1 doors reopen repeatedly",
        requested_by="mike.johnson@stlukeshealth.example",
        status="cancelled",
        opened_days_ago=6,
        cancel_reason="Logged twice: security called the elevator contractor directly, who fixed the door "
        "edge sensor the same evening.",
    ),
    WorkOrderRow(
        customer="St. Luke's Health",
        location="N-CAMPUS",
        asset="AHU-3",
        summary="AHU-3 supply fan vibration",
        description="Loud rumble above the 2nd floor corridor since the filter change.",
        requested_by="angela.brooks@stlukeshealth.example",
        status="in_progress",
        opened_days_ago=2,
        visit_days=0,
        visit_hour=8,
        visit_hours=3,
        technician="technician",
    ),
    WorkOrderRow(
        customer="St. Luke's Health",
        location="MAIN",
        asset="GEN-1",
        summary="Generator GEN-1 monthly load-bank test",
        description="Two-hour test at 75 % load; notify the switchboard before the transfer.",
        requested_by="david.chen@stlukeshealth.example",
        status="scheduled",
        opened_days_ago=1,
        visit_days=2,
        visit_hour=6,
        visit_hours=3,
        technician="technician",
    ),
    WorkOrderRow(
        customer="St. Luke's Health",
        location="OAK-CLINIC",
        asset="RTU-1",
        summary="RTU-1 not cooling, exam rooms at 80 °F",
        requested_by="lisa.martinez@stlukeshealth.example",
        status="open",
    ),
    WorkOrderRow(
        customer="Brightwater Office Parks",
        location="HARBOR",
        asset="Car 3",
        summary="Car 3 out of service: drive fault",
        description="Tenants on floors 18-22 rely on cars 1 and 2 meanwhile.",
        requested_by="koneill@brightwaterparks.example",
        status="scheduled",
        opened_days_ago=3,
        visit_days=1,
        visit_hour=10,
    ),
    WorkOrderRow(
        customer="Harborview Hotels",
        location="SD-DT",
        asset="Guest car 2",
        summary="Guest car 2 levelling off by an inch at the lobby",
        status="open",
    ),
)


@dataclass(frozen=True, kw_only=True)
class ContractRow:
    """A service contract of the customer named `customer`, covering the locations whose codes are
    `locations` and the assets whose asset tags are `assets` (neither: every site of the customer).
    Days count from the day the demo is loaded: it starts `start_days` days after it (negative:
    before) and ends `end_days` days after it (None: open-ended)."""

    customer: str
    name: str
    start_days: int
    end_days: int | None = None
    locations: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    visits_per_year: int | None = None
    response_hours: int | None = None
    notes: str = ""


# Contracts: several in force (for sites, for equipment, customer-wide), one ending within 60 days,
# one upcoming and one expired.
CONTRACTS: tuple[ContractRow, ...] = (
    ContractRow(
        customer="St. Luke's Health",
        name="Critical HVAC maintenance",
        start_days=-200,
        end_days=165,
        locations=("MAIN",),
        assets=("SLH-N-CAMPUS-001",),
        visits_per_year=12,
        response_hours=4,
        notes="Chillers CH-1 and CH-2 are N+1: never take both down in one visit.",
    ),
    ContractRow(
        customer="St. Luke's Health",
        name="Elevator service",
        start_days=-320,
        end_days=45,
        assets=("SLH-MAIN-004", "SLH-N-CAMPUS-002"),
        visits_per_year=12,
        response_hours=2,
        notes="Renewal quote due before the end date; the patient elevator is life safety.",
    ),
    ContractRow(
        customer="Brightwater Office Parks",
        name="Portfolio HVAC agreement",
        start_days=-420,
        visits_per_year=4,
        response_hours=24,
        notes="Covers every building of the portfolio, open-ended with 90 days' notice.",
    ),
    ContractRow(
        customer="Brightwater Office Parks",
        name="Harbor Point Tower life safety",
        start_days=-60,
        end_days=305,
        locations=("HARBOR",),
        visits_per_year=2,
        response_hours=8,
    ),
    ContractRow(
        customer="Cedar Valley School District",
        name="Heating plant maintenance, next school year",
        start_days=21,
        end_days=386,
        locations=("CVHS", "MAPLE-ES"),
        visits_per_year=2,
        response_hours=24,
        notes="Boilers are inspected before the heating season starts.",
    ),
    ContractRow(
        customer="Harborview Hotels",
        name="Downtown guest elevators",
        start_days=-150,
        end_days=215,
        assets=("HVH-SD-DT-002", "HVH-SD-DT-003"),
        visits_per_year=12,
        response_hours=2,
    ),
    ContractRow(
        customer="Kessler Precision Manufacturing",
        name="Compressed air uptime",
        start_days=-90,
        assets=("KPM-PLANT-1-001", "KPM-PLANT-1-002"),
        visits_per_year=6,
        response_hours=8,
    ),
    ContractRow(
        customer="Lakeshore Cold Storage",
        name="Refrigeration maintenance",
        start_days=-800,
        end_days=-100,
        locations=("CLE-1",),
        visits_per_year=4,
        response_hours=6,
        notes="Not renewed when the customer closed the Lakeside Avenue site.",
    ),
)
