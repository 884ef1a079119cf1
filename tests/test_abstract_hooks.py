"""A base class whose hook a subclass forgot to name says which class, instead of failing later."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from clientbase.backends import PasswordBackend
from clientbase.portal.views.base import PortalListPage
from clientbase.workorders.views import DraftActionView


def test_a_forgotten_hook_names_its_class():
    class Rows(PortalListPage):
        pass

    class Action(DraftActionView):
        pass

    class Backend(PasswordBackend):
        pass

    with pytest.raises(ImproperlyConfigured, match="Rows names no rows"):
        Rows().rows()
    with pytest.raises(ImproperlyConfigured, match="Action names no perform"):
        Action().perform(None)
    with pytest.raises(ImproperlyConfigured, match="Backend names no user_for"):
        Backend().user_for(None, "someone", "secret")
