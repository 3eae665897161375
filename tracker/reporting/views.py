"""The progress report's pages: the HTML page to read and print, and its PDF. Thin: the
scope form, the permission check, one service (tracker.reporting.progress)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.audit import AuditKind
from tracker.dashboard.services import filter_choices, require_dashboard
from tracker.dashboard.trend_chart import trend_svg
from tracker.i18n import org_today
from tracker.models import utcnow
from tracker.reporting.blueprint import bp
from tracker.reporting.forms import KINDS, ScopeForm
from tracker.reporting.model import ProgressReport, ReportScope
from tracker.reporting.periods import Period
from tracker.reporting.progress import (
    PDF_MAX_LINES,
    build_progress,
    change_label,
    period_label,
    report_choices,
    report_name,
)
from tracker.unit_of_work import unit_of_work


def _inferred_kind() -> str:
    """What a link without `kind` means: a trip report's or a department's report when it
    names one (the trip report page links with ?report=ID), else everything."""
    for kind in ("report", "department"):
        if request.args.get(kind):
            return kind
    return "all"


def _scope_form() -> ScopeForm:
    today = org_today()
    kind = request.args.get("kind")
    form = ScopeForm(
        request.args,
        kind=kind if kind in KINDS else _inferred_kind(),
        period=Period.containing("month", today).key,
    )
    departments, _owners, _reports = filter_choices(current_user)
    reports = report_choices(current_user, today)
    choose = SelectChoice("", "—")
    form.report.choices = [choose] + [SelectChoice(str(r.id), report_name(r)) for r in reports]
    form.department.choices = [choose] + [SelectChoice(str(d.id), d.name) for d in departments]
    return form


def _scope(form: ScopeForm) -> ReportScope | None:
    """The scope the form asks for; None while a field is wrong (the form says which)."""
    if not form.validate():
        return None
    period = Period.parse(form.period.data or "")
    assert period is not None  # validated
    kind = form.kind.data
    return ReportScope(
        period=period,
        report_id=int(form.report.data) if kind == "report" else None,
        department_id=int(form.department.data) if kind == "department" else None,
        due_in_period=kind == "period",
    )


# The page lists up to this many recommendations (the PDF fewer: PDF_MAX_LINES).
PAGE_MAX_LINES = 2000


def _report(scope: ReportScope, max_lines: int) -> ProgressReport:
    config = current_app.config
    return build_progress(
        current_user,
        scope,
        today=org_today(),
        timezone=config["TRACKER_TIMEZONE"],
        language=str(get_locale()),
        base_url=config["TRACKER_BASE_URL"],
        now=utcnow(),
        max_lines=max_lines,
    )


def _trend_chart(report: ProgressReport) -> Markup | None:
    if not report.trend.total:
        return None
    return trend_svg(report.trend.total, title=_("The last 12 months"))


def _period_choices(today: date) -> list[str]:
    """The periods the form suggests: this month and the eleven before it, this quarter and
    the three before it, this year and the last."""
    months = [Period.containing("month", today)]
    quarters = [Period.containing("quarter", today)]
    for _step in range(11):
        months.append(months[-1].previous())
    for _step in range(3):
        quarters.append(quarters[-1].previous())
    years = [Period.containing("year", today)]
    years.append(years[0].previous())
    return [period.key for period in (*months, *quarters, *years)]


def _scope_args(form: ScopeForm) -> dict[str, Any]:
    """The arguments that name the report (for the PDF's link): what the form holds."""
    args: dict[str, Any] = {"kind": form.kind.data or "all", "period": form.period.data or ""}
    if form.kind.data in ("report", "department"):
        args[form.kind.data] = getattr(form, form.kind.data).data or ""
    return args


@bp.route("/progress")
def progress() -> ResponseReturnValue:
    require_dashboard(current_user)
    form = _scope_form()
    scope = _scope(form)
    report = _report(scope, PAGE_MAX_LINES) if scope is not None else None
    language = str(get_locale())
    return render_template(
        "reporting/progress.html",
        change_label=change_label,
        form=form,
        report=report,
        period_label=period_label(scope.period, language) if scope else "",
        previous_label=period_label(scope.period.previous(), language) if scope else "",
        period_choices=_period_choices(org_today()),
        lines_shown=sum(len(section.lines) for section in report.sections) if report else 0,
        trend_chart=_trend_chart(report) if report is not None else None,
        pdf_url=url_for("reporting.progress_pdf", **_scope_args(form)),
    )


@bp.route("/progress.pdf")
def progress_pdf() -> ResponseReturnValue:
    require_dashboard(current_user)
    scope = _scope(_scope_form())
    if scope is None:
        # A hand-edited address: the page, with the same arguments, says what is wrong.
        arguments: dict[str, Any] = request.args.to_dict(flat=False)
        return redirect(url_for("reporting.progress", **arguments))
    from tracker.reporting.pdf import render_pdf  # fpdf is loaded only to make a PDF

    report = _report(scope, PDF_MAX_LINES)
    document = render_pdf(report)
    # A file of tasks leaves the site: the audit log says who took which report (as the
    # dashboard's exports).
    with unit_of_work():
        audit.record(
            AuditKind.DATA_EXPORTED,
            actor=current_user,
            subject="progress_report",
            details={
                "format": "pdf",
                "rows": report.lines_total,
                "filters": {key: value for key, value in request.args.items() if value},
            },
            address=request.remote_addr,
        )
    filename = f"progress-{scope.period.key}-{org_today().isoformat()}.pdf"
    return Response(
        document,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
