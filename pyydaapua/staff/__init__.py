"""The staff side: sign-in, the inbox, the request page and its actions, reports, the
family's data rights, the account page, and the administration of accounts and the catalogue."""

from . import admin as _admin  # noqa: F401 - registers the administration routes on bp
from . import passwords as _passwords  # noqa: F401 - registers the own password change on bp
from . import records as _records  # noqa: F401 - registers the data-rights routes on bp
from . import reports as _reports  # noqa: F401 - registers the report routes on bp
from . import requests as _requests  # noqa: F401 - registers the request routes on bp
from . import second_step as _second_step  # noqa: F401 - registers the second sign-in step
from .views import bp

__all__ = ["bp"]
