"""The supervisor's reports page and its CSV downloads."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.permissions import Permission
from pyydaapua.reporting import figures, tables
from pyydaapua.reporting.forms import PeriodForm
from pyydaapua.rules.workdays import helsinki_date
from pyydaapua.web.csv_export import csv_response, file_name
from pyydaapua.web.days import day_text

# The reporting views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("reporting", __name__, url_prefix="/staff")


def _period() -> tuple[PeriodForm, figures.Period | None, date]:
    """The period from the URL (the last twelve months when none is given), None when it is
    not valid; and today in Helsinki."""
    today = helsinki_date(datetime.now(UTC))
    form = PeriodForm(request.args)
    if "start" not in request.args and "end" not in request.args:
        default = figures.Period.last_twelve_months(today)
        form.start.data, form.end.data = day_text(default.start), day_text(default.end)
    return form, (figures.Period(*form.days()) if form.validate() else None), today


@bp.get("/reports")
@permission_required(Permission.READ_REPORTS)
def reports_page() -> str | tuple[str, int]:
    """Volumes, seasons and response times for a period, as charts and tables."""
    form, period, today = _period()
    if period is None:
        return render_template("reporting/reports.html", form=form), 422
    report = figures.build(period, today)
    shown_tables = tables.build_tables(report)
    charts = tables.build_figures(report, shown_tables)
    audit.record(
        "reports_viewed",
        user_id=current_user.id,
        client_address=client_address(),
        target=f"{period.start}..{period.end}",
    )
    return render_template(
        "reporting/reports.html",
        form=form,
        report=report,
        tables=shown_tables,
        sections=tables.build_sections(shown_tables, charts),
    )


@bp.get("/reports.csv")
@permission_required(Permission.READ_REPORTS)
def report_csv() -> Response | tuple[str, int]:
    """One table of the report as a CSV file for Excel, headers in the user's language."""
    form, period, today = _period()
    if period is None:
        return render_template("reporting/reports.html", form=form), 422
    table = tables.build_tables(figures.build(period, today)).get(request.args.get("table", ""))
    if table is None:
        abort(404)
    audit.record(
        "report_downloaded",
        user_id=current_user.id,
        client_address=client_address(),
        target=f"{table.key} {period.start}..{period.end}",
    )
    return csv_response(
        file_name(table.title, period.start, period.end) + ".csv",
        [column.label for column in table.columns],
        table.csv_rows(),
    )


bp.add_app_template_global(tables.page_value, "report_value")
