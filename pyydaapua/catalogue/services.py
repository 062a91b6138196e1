"""The service catalogue that families are referred to: adding and changing services.

Services are never deleted: an inactive one is no longer offered for new referrals
(``search_services``) but old referrals keep showing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import Service
from pyydaapua.rules.status_flow import PROVIDER_TYPES
from pyydaapua.rules.typed_text import like_any

# Digits, spaces, +, - and parentheses, with at least one digit: "+358 8 558 45000", "(08) 123-45".
_PHONE = re.compile(r"[0-9 +\-()]*[0-9][0-9 +\-()]*")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


class CatalogueError(ValueError):
    """The service cannot be saved as given; ``field`` names the field at fault."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def valid_phone(text: str) -> bool:
    """A loose check: digits, spaces, +, - and parentheses only, and at least one digit."""
    return bool(_PHONE.fullmatch(text))


def valid_url(text: str) -> bool:
    """An absolute http(s) address with a host name (no spaces, no user name or password)."""
    if not text or any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return False
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return False
    return host == "localhost" or bool(_HOST.fullmatch(host))


@dataclass(frozen=True)
class ServiceData:
    """What an administrator gives for a service; empty strings for the optional fields."""

    name_fi: str
    name_sv: str
    provider_type: str
    provider: str = ""
    description_fi: str = ""
    description_sv: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    active: bool = True

    def check(self) -> None:
        """Raise CatalogueError for the first field that is not acceptable."""
        if not self.name_fi.strip():
            raise CatalogueError("name_fi")
        if not self.name_sv.strip():
            raise CatalogueError("name_sv")
        if self.provider_type not in PROVIDER_TYPES:
            raise CatalogueError("provider_type")
        if self.phone and not valid_phone(self.phone):
            raise CatalogueError("phone")
        if self.url and not valid_url(self.url):
            raise CatalogueError("url")
        if self.email and "@" not in self.email:
            raise CatalogueError("email")


def all_services(language: str) -> list[Service]:
    """Every service, active or not, by its name in ``language``."""
    order = Service.name_sv if language == "sv" else Service.name_fi
    return list(db.session.scalars(select(Service).order_by(db.func.lower(order), Service.id)))


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def create_service(data: ServiceData, *, commit: bool = True) -> Service:
    """Add a service to the catalogue."""
    data.check()
    service = Service(**{field.name: getattr(data, field.name) for field in fields(data)})
    db.session.add(service)
    _finish(commit)
    return service


def update_service(service: Service, data: ServiceData, *, commit: bool = True) -> list[str]:
    """Change a service; returns the names of the fields that changed."""
    data.check()
    changed = []
    for field in fields(data):
        value = getattr(data, field.name)
        if getattr(service, field.name) != value:
            setattr(service, field.name, value)
            changed.append(field.name)
    _finish(commit)
    return changed


def search_services(text: str, language: str, limit: int = 20) -> list[Service]:
    """Active services whose name (in either language) or provider contains ``text``."""
    query = select(Service).where(Service.active.is_(True))
    words = text.split()
    for word in words:
        pattern = like_any(word.lower())
        query = query.where(
            db.or_(
                db.func.lower(Service.name_fi).like(pattern, escape="\\"),
                db.func.lower(Service.name_sv).like(pattern, escape="\\"),
                db.func.lower(Service.provider).like(pattern, escape="\\"),
            )
        )
    order = Service.name_sv if language == "sv" else Service.name_fi
    return list(db.session.scalars(query.order_by(order).limit(limit)))
