"""The staff pages of privacy: a contact's personal data as a JSON download, and its erasure
after a confirmation of what is erased (`clientbase.contacts.privacy`)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from clientbase import access
from clientbase.contacts import privacy
from clientbase.contacts.models import Contact
from clientbase.pages import StaffPage


class PersonalDataView(StaffPage):
    """GET: everything held about the contact, as a JSON file to download."""

    section = "contacts"
    model = Contact

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        contact = access.fetch(self.user, Contact.objects.all(), self.kwargs["pk"])
        data = privacy.personal_data(self.user, contact)
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-personal-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class EraseView(StaffPage):
    """GET: what erasing the contact does; POST: erase it (`privacy.erase`)."""

    section = "contacts"
    model = Contact
    template_name = "contacts/contact_confirm_erase.html"

    def get_contact(self) -> Contact:
        contact = access.fetch(self.user, Contact.objects.select_related("customer"), self.kwargs["pk"])
        if not privacy.may_erase(self.user, contact):
            access.require(self.user, access.DELETE, contact)
        return contact

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.contact = self.get_contact()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(contact=self.contact, erased_name=privacy.ERASED_NAME)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        contact = privacy.erase(self.user, self.get_contact())
        messages.success(request, "The contact's personal data was erased.")
        return HttpResponseRedirect(reverse("contacts:contact-detail", args=[contact.pk]))
