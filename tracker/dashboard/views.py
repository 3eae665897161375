from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.audit import AuditKind
from tracker.dashboard import export_rows, exports, services
from tracker.dashboard.blueprint import bp
from tracker.dashboard.charts import bar_chart
from tracker.dashboard.forms import FilterForm
from tracker.dashboard.trend_chart import dashboard_trend, department_trends  # #14 trends
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import ExtensionStatus, TaskStatus
from tracker.notifications.digest import digest_link
from tracker.unit_of_work import unit_of_work

PER_PAGE = 25


# The largest id or page number read from an address: PostgreSQL's integer (SQLite takes
# 64 bits); a longer number typed in would fail in the database, not match nothing.
MAX_NUMBER = 2**31 - 1


def _int_or_none(value: str | None) -> int | None:
    """An id from the address; None unless ASCII digits ("²" is a digit to str.isdigit)
    within MAX_NUMBER."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_NUMBER else None


def _page(key: str) -> int:
    """The page number the address asks for, from 1 to MAX_NUMBER."""
    return min(max(request.args.get(key, 1, type=int) or 1, 1), MAX_NUMBER)


def _filters(form: FilterForm) -> services.Filters:
    status = form.status.data if form.status.data in services.STATUS_FILTERS else "overdue"
    valid = form.validate()  # only the dates can be invalid; a bad one is ignored
    digest, digest_invalid = digest_link(request.args)  # an email's "and N more" link
    return services.Filters(
        digest=digest,
        digest_invalid=digest_invalid,
        department_id=_int_or_none(form.department.data),
        owner_id=_int_or_none(form.owner.data),
        report_id=_int_or_none(form.report.data),
        status=status,
        deadline_from=form.deadline_from.data if valid else None,
        deadline_to=form.deadline_to.data if valid else None,
        in_department_ids=_ids(BAR_KEYS[0]),
        with_owner_ids=_ids(BAR_KEYS[1]),
    )


# The query keys of the charts' bars: a department's, an owner's (each may repeat).
BAR_KEYS = ("in_department", "with_owner")


def _ids(key: str) -> tuple[int, ...]:
    """The ids a repeated query key holds, each once, in order; anything else ignored."""
    values = (_int_or_none(value) for value in request.args.getlist(key))
    return tuple(dict.fromkeys(value for value in values if value is not None))


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    departments, owners, reports = services.filter_choices(current_user)
    everyone = SelectChoice("", _("All"))
    form.department.choices = [everyone] + [SelectChoice(str(d.id), d.name) for d in departments]
    form.owner.choices = [everyone] + [SelectChoice(str(u.id), u.name) for u in owners]
    form.report.choices = [everyone] + [
        SelectChoice(str(r.id), r.destination or r.source_filename) for r in reports
    ]
    return form


def _args_with(**changes: Any) -> dict[str, Any]:
    """The request's query (every value of a repeated key), with some keys replaced."""
    args: dict[str, Any] = dict(request.args.lists())
    args.update(changes)
    return args


def _list_link(status: str = "overdue", **changes: Any) -> str:
    """The dashboard's list of exactly the tasks a figure, a bar or a bucket counts: the
    current filters kept (the figures count under them), the figure's status filter; from
    its first page."""
    args = _args_with(status=status, **changes)
    args.pop("page", None)
    return url_for("dashboard.index", _anchor="list", **args)


def _bar_link(key: str, id_: int) -> str:
    """The overdue tasks of a chart's bar: its department or owner added to the filters
    (and to the bars the page is narrowed to already), never replacing them."""
    bars: dict[str, Any] = {key: list(dict.fromkeys([*request.args.getlist(key), str(id_)]))}
    return _list_link(**bars)


def _without_bars() -> str:
    """The dashboard with the same filters, no chart's bar narrowing it."""
    args: dict[str, Any] = {
        key: values for key, values in request.args.lists() if key not in BAR_KEYS
    }
    args.pop("page", None)
    return url_for("dashboard.index", **args)


def _aging_links() -> list[str]:
    """The tasks of each aging bucket: its status filter (active, the deadline period)."""
    return [_list_link(services.aging_status(low, high)) for low, high in services.AGING_BUCKETS]


@bp.route("")
def index() -> ResponseReturnValue:
    services.require_dashboard(current_user)
    form = _filter_form()
    filters = _filters(form)
    today = org_today()
    sort = request.args.get("sort", "deadline")
    page = _page("page")
    timezone = current_app.config["TRACKER_TIMEZONE"]
    rows, total = services.task_list(
        current_user, filters, today, sort=sort, page=page, per_page=PER_PAGE, timezone=timezone
    )
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    if page > pages:  # an old link, or a number typed in: the last page, and why
        flash(_("There is no page %(page)d: this is the last one.", page=page), "info")
        return redirect(url_for("dashboard.index", **_args_with(page=pages)))
    computed = services.figures(current_user, filters, today, timezone)
    figures = computed.headline
    charts = services.overdue_charts(current_user, filters, today)
    by_department, by_owner = charts.by_department, charts.by_owner
    aging = computed.aging
    return render_template(
        "dashboard/index.html",
        form=form,
        figures=figures,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        today=today,
        reports=services.report_progress(current_user, filters, today),
        department_chart=bar_chart(
            [(name, count) for name, count, _id in by_department],
            title=_("Overdue tasks by department"),
            links=[_bar_link(BAR_KEYS[0], id_) for _name, _count, id_ in by_department],
        ),
        owner_chart=bar_chart(
            [(name, count) for name, count, _id in by_owner],
            title=_("Overdue tasks by owner"),
            links=[_bar_link(BAR_KEYS[1], id_) for _name, _count, id_ in by_owner],
        ),
        aging_chart=bar_chart(
            aging, title=_("Days overdue"), color="#b54708", links=_aging_links()
        ),
        list_link=_list_link,
        bar_names=services.bar_names(filters),
        bar_keys=BAR_KEYS,
        without_bars=_without_bars(),
        has_overdue=bool(figures.overdue),
        digest=filters.digest,
        digest_invalid=filters.digest_invalid,
        # #14 trends: the last 12 months of the whole scope, today's from the figures
        # (templates/dashboard/_trend.html); each department's on the trends page.
        trend=dashboard_trend(current_user, filters, today, timezone, computed.standing),
        trends_link=url_for("dashboard.trends", **_trend_args()),
        departments=False,
    )


def _trend_args() -> dict[str, Any]:
    """The query without what the trends do not read (the list's status, its page)."""
    return {key: values for key, values in request.args.lists() if key not in ("status", "page")}


@bp.route("/trends")
def trends() -> ResponseReturnValue:
    """The trend of the dashboard's scope and of each department in it (#14): a pass over
    the tasks and their owners for today's figures per department, too slow for every
    dashboard view at a million tasks (docs/benchmarks.md "#14 trends")."""
    services.require_dashboard(current_user)
    form = _filter_form()
    filters = _filters(form)
    timezone = current_app.config["TRACKER_TIMEZONE"]
    return render_template(
        "dashboard/trends.html",
        form=form,
        trend=department_trends(current_user, filters, org_today(), timezone),
        dashboard_link=url_for("dashboard.index", **_trend_args()),
        trends_link=None,
        departments=True,
    )


@bp.route("/without-owner")
def without_owner() -> ResponseReturnValue:
    """The tasks whose owners have all left, on a page of their own: finding the tasks
    with no owner at all reads every unfinished task, too slow for every dashboard view."""
    services.require_dashboard(current_user)
    return render_template("dashboard/without_owner.html", **_without_active_owner_context())


def _without_active_owner_context() -> dict[str, object]:
    """The tasks whose owners have all left (deactivated), a page at a time."""
    page = _page("orphans_page")
    orphans, total = services.tasks_without_active_owner(current_user, page)
    per_page = services.ORPHANS_PER_PAGE
    return {
        "orphans": orphans,
        "orphans_total": total,
        "orphans_page": page,
        "orphans_pages": max((total + per_page - 1) // per_page, 1),
    }


def _export_headers() -> list[str]:
    return [
        _("Number"),
        _("Task"),
        _("Report"),
        _("Owners"),
        _("Department"),
        _("Status"),
        _("Deadline"),
        _("As written"),
        _("Completion date"),
        _("What was done"),
        _("Evidence"),
        _("Expected result"),
        _("Cancel reason"),
        _("Extension requests"),
        _("Days overdue"),
        _("Last escalation"),
    ]


def _status_labels() -> dict[TaskStatus, str]:
    """The Status column of the exports, as the task pages name the statuses (translated
    once, before the rows stream)."""
    return {
        TaskStatus.DRAFT: _("Draft"),
        TaskStatus.OPEN: _("Open"),
        TaskStatus.IN_PROGRESS: _("In progress"),
        TaskStatus.AWAITING_ACCEPTANCE: _("Awaiting acceptance"),
        TaskStatus.DONE: _("Done"),
        TaskStatus.CANCELLED: _("Cancelled"),
    }


def _labels() -> exports.Labels:
    """The statuses of tasks and of requests for more time, translated once."""
    extension = {
        ExtensionStatus.PENDING: _("waiting for a decision"),
        ExtensionStatus.APPROVED: _("approved"),
        ExtensionStatus.REFUSED: _("refused"),
        ExtensionStatus.WITHDRAWN: _("withdrawn"),
    }
    return exports.Labels(_status_labels().__getitem__, extension.__getitem__)


def _export() -> export_rows.Export:
    services.require_dashboard(current_user)
    filters = _filters(_filter_form())
    return export_rows.prepare(
        current_user,
        filters,
        org_today(),
        sort=request.args.get("sort", "deadline"),
        timezone=current_app.config["TRACKER_TIMEZONE"],
        base_url=current_app.config["TRACKER_BASE_URL"],
    )


def _record_export(file_format: str, count: int) -> None:
    """An export of tasks is in the audit log: who took which list, how many rows."""
    filters = {key: value for key, value in request.args.items() if value}
    with unit_of_work():
        audit.record(
            AuditKind.DATA_EXPORTED,
            actor=current_user,
            subject="dashboard",
            details={"format": file_format, "rows": count, "filters": filters},
            address=request.remote_addr,
        )


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    export = _export()
    _record_export("csv", export.count(db.session()))  # recorded before a line leaves
    rows = export.streamed(db.engine)
    lines = exports.csv_chunks(rows, _export_headers(), _labels())
    return Response(
        lines,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="tasks-{org_today()}.csv"',
        },
    )


@bp.route("/export.xlsx")
def export_xlsx() -> ResponseReturnValue:
    export = _export()
    file, count = exports.xlsx_file(
        export.chunks(db.session()),
        _export_headers(),
        _("Tasks"),
        _labels(),
        Path(current_app.instance_path) / "tmp",
    )
    _record_export("xlsx", count)
    response = Response(
        exports.file_blocks(file),
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="tasks-{org_today()}.xlsx"',
        },
        direct_passthrough=True,
    )
    response.call_on_close(file.close)  # removed even if no byte of it was read
    return response
