from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from annotations.demo import demo_project_setup
from articles import roles

DEMO_USERS = (
    ("admin", None),
    ("editor", roles.EDITOR),
    ("annotator", roles.ANNOTATOR),
)


def demo_password() -> str:
    """NEWSREADER_DEMO_PASSWORD, else one generated on first use and kept under var/."""
    if password := os.environ.get("NEWSREADER_DEMO_PASSWORD"):
        return password
    path = settings.BASE_DIR / "var" / "demo_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Create the role groups and the demo accounts admin, editor and annotator."

    def handle(self, *args: Any, **options: Any) -> str:
        for name in (roles.EDITOR, roles.ANNOTATOR):
            Group.objects.get_or_create(name=name)
        password = demo_password()
        user_model = get_user_model()
        for username, group in DEMO_USERS:
            user, _ = user_model.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = user.is_superuser = group is None
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
        # Its members are the demo users; articles are assigned later by demo_assign.
        demo_project_setup()
        return "\n".join(f"  {username:<10} password: {password}" for username, _ in DEMO_USERS)
