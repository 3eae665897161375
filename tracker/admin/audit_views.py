"""The audit log page (#12 item 8): admins only, newest first, paged, filtered by person,
kind and period; the CSV export of the same filter is streamed and is itself recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker import audit
from tracker.admin import audit_log
from tracker.admin.blueprint import bp
from tracker.audit import AuditKind
from tracker.display import when
from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm
from tracker.i18n import org_today
from tracker.unit_of_work import unit_of_work


class AuditFilterForm(TrackerForm):
    """A GET form: the filter lives in the URL, shared by the list and its export."""

    class Meta:
        csrf = False

    person = StringField(_l("Person"))
    kind = SelectField(_l("Kind"), coerce=str, default="")  # not "None" when not given
    start = DateField(_l("From"), validators=[Optional(), SaneDate()])
    end = DateField(_l("Until"), validators=[Optional(), SaneDate()])

    def validate_end(self, field: Any) -> None:
        start = self.start.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError(_l("The end of the period is before its start."))


def _filter_form() -> tuple[AuditFilterForm, audit_log.AuditFilter]:
    """The form as typed, and the filter it makes: a refused field narrows nothing (its
    message says why beside it)."""
    form = AuditFilterForm(request.args)
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(kind.value, audit_log.kind_label(kind.value)) for kind in AuditKind
    ]
    form.validate()
    period_ok = not form.start.errors and not form.end.errors
    return form, audit_log.AuditFilter(
        person=(form.person.data or "").strip(),
        kind=form.kind.data if not form.kind.errors and form.kind.data else "",
        start=form.start.data if period_ok else None,
        end=form.end.data if period_ok else None,
    )


@bp.route("/audit")
def audit_page() -> ResponseReturnValue:
    form, filters = _filter_form()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, next_page = audit_log.page_of(filters, page)
    if not rows and page > 1:
        flash(_("There is no page %(page)d.", page=page), "info")
        return redirect(url_for("admin.audit_page", **_args(page=None)))
    return render_template(
        "admin/audit.html",
        form=form,
        rows=rows,
        page=page,
        next_page=next_page,
        args=_args,
        kind_label=audit_log.kind_label,
        describe=audit_log.describe_details,
        subjects=audit_log.subject_names(rows),
        subject_text=audit_log.subject_text,
    )


def _args(**changes: Any) -> dict[str, Any]:
    """The current filter's query arguments with some replaced (None drops one)."""
    args: dict[str, Any] = {key: value for key, value in request.args.items() if value}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def _moment(value: datetime) -> str:
    return when(value)


@bp.route("/audit.csv")
def audit_export() -> ResponseReturnValue:
    _form, filters = _filter_form()
    with unit_of_work():  # the export is recorded before a line of it leaves
        audit.record(
            AuditKind.DATA_EXPORTED,
            actor=current_user,
            subject="audit",
            details={"format": "csv", "filters": filters.as_details()},
            address=request.remote_addr,
        )
    headers = [_("Time"), _("Actor"), _("Kind"), _("Subject"), _("Details"), _("Address")]
    lines = audit_log.csv_lines(filters, headers, _moment)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="audit-{org_today()}.csv"',
        },
    )
