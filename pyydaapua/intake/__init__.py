"""The parent's side: landing page, request form, confirmation, privacy and accessibility."""

from pyydaapua.intake import public_info
from pyydaapua.intake.views import bp, root
from pyydaapua.status_page import views as _status_views  # noqa: F401 - its routes join bp

# The deployment's contact details, for every page that shows the public chrome (error pages
# outside the blueprint too).
root.record_once(lambda state: public_info.init_app(state.app))

__all__ = ["bp", "root"]
