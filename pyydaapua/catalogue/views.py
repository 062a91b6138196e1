"""The service catalogue's views: its administration (the list, adding and editing a service)
and the search that fills the referral form's list of services."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.permissions import Permission
from pyydaapua.catalogue import services
from pyydaapua.catalogue.forms import ServiceForm
from pyydaapua.database import db
from pyydaapua.inbox import queries
from pyydaapua.models import Service
from pyydaapua.rules import typed_text

# The catalogue views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("catalogue", __name__, url_prefix="/staff")


def _audit(action: str, target: str) -> None:
    audit.record(action, user_id=current_user.id, client_address=client_address(), target=target)


@bp.get("/admin/services", endpoint="admin_services")
@permission_required(Permission.MANAGE_CATALOGUE)
def admin_services() -> str:
    """The whole service catalogue, in use or not, by name in the admin's language."""
    listed = services.all_services(current_user.language)
    return render_template("catalogue/services.html", services=listed)


def _show_catalogue_error(form: ServiceForm, error: services.CatalogueError) -> None:
    field = form[error.field]
    field.errors = [*field.errors, _l("Check this value.")]


@bp.route("/admin/services/new", methods=["GET", "POST"], endpoint="admin_service_new")
@permission_required(Permission.MANAGE_CATALOGUE)
def admin_service_new() -> Response | tuple[str, int]:
    """Add a service to the catalogue."""
    form = ServiceForm()
    if form.validate_on_submit():
        try:
            service = services.create_service(form.to_data(), commit=False)
        except services.CatalogueError as error:
            db.session.rollback()
            _show_catalogue_error(form, error)
        else:
            _audit("service_created", f"service:{service.id}")
            flash(_("The service %(name)s was added.", name=service.name(current_user.language)))
            return redirect(url_for("catalogue.admin_services"), code=303)
    http_status = 422 if form.errors else 200
    return render_template("catalogue/service.html", form=form, service=None), http_status


@bp.route("/admin/services/<int:service_id>", methods=["GET", "POST"], endpoint="admin_service")
@permission_required(Permission.MANAGE_CATALOGUE)
def admin_service(service_id: int) -> Response | tuple[str, int]:
    """Change a service, or take it out of use for new referrals (old ones keep it)."""
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    form = ServiceForm(obj=service)
    if form.validate_on_submit():
        try:
            changed = services.update_service(service, form.to_data(), commit=False)
        except services.CatalogueError as error:
            db.session.rollback()
            _show_catalogue_error(form, error)
        else:
            if changed:
                _audit("service_changed", f"service:{service.id}")
            flash(_("The service %(name)s was saved.", name=service.name(current_user.language)))
            return redirect(url_for("catalogue.admin_services"), code=303)
    http_status = 422 if form.errors else 200
    return render_template("catalogue/service.html", form=form, service=service), http_status


@bp.get("/services/options")
@permission_required(Permission.WORK_REQUESTS)
def service_options() -> str | tuple[str, int]:
    """The services matching ``q``, as ``<option>`` elements for the referral form's list;
    none (422) for a text the search cannot use (control characters, too long)."""
    text = typed_text.normalise(request.args.get("q", ""), multiline=False)
    if queries.search_problem(text):
        return render_template("catalogue/_service_options.html", services=[]), 422
    found = services.search_services(text, current_user.language)
    return render_template("catalogue/_service_options.html", services=found)
