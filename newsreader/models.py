"""The project's own models: none with a table of their own."""

from __future__ import annotations

from rest_framework.authtoken.models import TokenProxy


class ApiToken(TokenProxy):
    """An API token as the admin shows it: by the start of its key, never the whole key.

    Django writes an object's ``str`` into page titles, confirmations and the admin's
    history, which every staff user can read; DRF's is the whole key.
    """

    class Meta:
        proxy = True
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.key[:6]}… ({self.user})"
