"""Contacts as vCard 4.0 (RFC 6350), the format phones and address books read."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify

from clientbase.audit import events
from clientbase.contacts.models import Contact

CONTENT_TYPE = "text/vcard; charset=utf-8"
MAX_LINE_OCTETS = 75
# Stable UIDs: the same contact always gets the same one, so re-importing on a phone updates it.
UID_NAMESPACE = uuid.UUID("0b3c3a8e-6c38-4a8e-9a86-4f8f2ad2a6f1")


def escape(value: str) -> str:
    """A text value (or one component of a structured value) with RFC 6350 escapes."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after one space, never splitting a
    UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def vcard(contact: Contact) -> str:
    """One contact as a vCard 4.0 text (CRLF line ends)."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        f"UID:urn:uuid:{uuid.uuid5(UID_NAMESPACE, f'contact:{contact.pk}')}",
        f"FN:{escape(contact.full_name or contact.last_name)}",
        "N:"
        + ";".join(
            escape(part) for part in (contact.last_name, contact.first_name, "", contact.salutation, "")
        ),
    ]
    customer = contact.customer
    if customer is not None or contact.department:
        organisation = [customer.name if customer is not None else ""]
        if contact.department:
            organisation.append(contact.department)
        lines.append("ORG:" + ";".join(escape(part) for part in organisation))
    if contact.title:
        lines.append(f"TITLE:{escape(contact.title)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=work:{escape(contact.email)}")
    for number, kind in (
        (contact.phone, "work"),
        (contact.mobile, "cell"),
        (contact.secondary_phone, "voice"),
    ):
        if number:
            # The stored number is the body of its RFC 3966 URI, an extension included
            # ("tel:+13125550142;ext=12", as RFC 6350 writes it); a URI value is not escaped.
            lines.append(f"TEL;VALUE=uri;TYPE={kind}:tel:{number}")
    address = contact.address or {}
    if any(address.values()):
        keys = ("street2", "street", "city", "region", "postal_code", "country")
        parts = ["", *(address.get(key, "") for key in keys)]  # the first component is a PO box
        lines.append("ADR;TYPE=work:" + ";".join(escape(part) for part in parts))
    if contact.notes:
        lines.append(f"NOTE:{escape(contact.notes)}")
    if contact.updated_at:
        lines.append(f"REV:{contact.updated_at.astimezone(datetime.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def vcards(contacts: Iterable[Contact]) -> Iterator[bytes]:
    """Many contacts as one .vcf stream, one card after the other."""
    for contact in contacts:
        yield vcard(contact).encode()


def filename_for(contact: Contact) -> str:
    return f"{slugify(contact.full_name) or 'contact'}-{contact.pk}.vcf"


def vcard_response(contact: Contact, request: HttpRequest) -> HttpResponse:
    """`GET contacts/{id}/vcard/` (API and portal): the contact as a .vcf download, recorded in the
    audit log as an export of one contact, as every export is."""
    events.record(
        events.EXPORT,
        user=request.user,
        ip=events.request_ip(request),
        object=contact,
        detail={
            "kind": "contacts",
            "format": "vcf",
            "count": 1,
            "via": "portal" if "/portal/" in request.path else "api",
        },
    )
    response = HttpResponse(vcard(contact).encode(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename_for(contact)}"'
    return response
