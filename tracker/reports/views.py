from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import Report, ReportStatus, ScanImport, ScanStatus, User
from tracker.reports import access, messages, scan_jobs, scans, services
from tracker.reports.blueprint import bp
from tracker.reports.forms import (
    AddRecommendationForm,
    DiscardForm,
    OwnerChoices,
    ReviewForm,
    ScanRemoveForm,
    ScanRetryForm,
    UploadForm,
    owner_choices,
)
from tracker.reports.parsing import ReportError
from tracker.reports.parsing.ocr import ocr_unavailable
from tracker.reports.sandbox import ParseLimits, parse_untrusted
from tracker.unit_of_work import unit_of_work


def _load_for_registry(report_id: int) -> Report:
    report = db.get_or_404(Report, report_id)
    services.require_registry(current_user)
    return report


@bp.route("")
def index() -> ResponseReturnValue:
    is_registry = current_user.role in services.REGISTRY_ROLES
    return render_template(
        "reports/list.html",
        reports=services.reports_with_progress(current_user),
        scans=scans.scans_in_progress() if is_registry else [],
    )


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> ResponseReturnValue:
    services.require_registry(current_user)
    form = UploadForm()
    submitted = form.is_submitted()
    if submitted and form.validate():
        upload: FileStorage = form.file.data
        limits = ParseLimits.from_config(current_app.config)
        content = upload.stream.read(limits.max_bytes + 1)
        filename = upload.filename or "report"
        try:
            # In a limited child process: a hostile file costs its uploader a refusal, and
            # this thread only waits on a pipe, so the other users' requests go on.
            parsed = parse_untrusted(content, filename, limits)
            with unit_of_work():
                result = services.import_report(parsed, content, uploaded_by=current_user)
        except ReportError as error:
            if error.code == "scanned_pdf":
                return _read_scan_later(form, content, filename)
            form.file.errors.append(messages.refusal(error))
        except services.ReportImportError as error:
            form.file.errors.append(str(error))
        else:
            flash(_("The report was read. Check each recommendation, then confirm."), "success")
            return redirect(url_for("reports.review", report_id=result.report.id))
    return render_template("reports/upload.html", form=form), 400 if submitted else 200


def _read_scan_later(form: UploadForm, content: bytes, filename: str) -> ResponseReturnValue:
    """A PDF without text: read by OCR in the background (seconds a page), the uploader sent
    to the page that waits for it; refused with what to install where OCR is missing."""
    missing = ocr_unavailable()
    if missing is not None:
        current_app.logger.warning("a scanned report was refused: %s", missing)
        form.file.errors.append(messages.refusal(ReportError(missing, code="ocr_unavailable")))
        return render_template("reports/upload.html", form=form), 400
    try:
        with unit_of_work():
            scan = scan_jobs.queue_and_read(content, filename, current_user)
    except services.ReportImportError as error:
        form.file.errors.append(str(error))
        return render_template("reports/upload.html", form=form), 400
    return redirect(url_for("reports.scan", scan_id=scan.id))


def _load_scan(scan_id: int) -> ScanImport:
    scan = db.get_or_404(ScanImport, scan_id)
    services.require_registry(current_user)
    return scan


@bp.route("/scans/<int:scan_id>")
def scan(scan_id: int) -> ResponseReturnValue:
    """The scan being read (the page reloads itself until it is done), or why it was refused;
    once read, the review of its draft."""
    scan = _load_scan(scan_id)
    if scan.status is ScanStatus.DONE and scan.report_id is not None:
        return redirect(url_for("reports.review", report_id=scan.report_id))
    error = scans.scan_error(scan)
    return render_template(
        "reports/scan.html",
        scan=scan,
        refusal=messages.refusal(error) if error is not None else None,
        retry_form=ScanRetryForm(),
        remove_form=ScanRemoveForm(),
    )


@bp.route("/scans/<int:scan_id>/retry", methods=["POST"])
def retry_scan(scan_id: int) -> ResponseReturnValue:
    scan = _load_scan(scan_id)
    if not ScanRetryForm().validate_on_submit():
        abort(400)
    missing = ocr_unavailable()
    if missing is not None:
        flash(messages.refusal(ReportError(missing, code="ocr_unavailable")), "error")
    else:
        with unit_of_work():
            scan_jobs.retry_and_read(scan, current_user)
    return redirect(url_for("reports.scan", scan_id=scan.id))


@bp.route("/scans/<int:scan_id>/remove", methods=["POST"])
def remove_scan(scan_id: int) -> ResponseReturnValue:
    scan = _load_scan(scan_id)
    if not ScanRemoveForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        removed = scans.remove(scan, current_user)
    if not removed:  # being read, or read: it goes with its report
        return redirect(url_for("reports.scan", scan_id=scan_id))
    flash(_("The scanned file was removed."), "success")
    return redirect(url_for("reports.index"))


@bp.route("/scans/<int:scan_id>/file")
def scan_file(scan_id: int) -> ResponseReturnValue:
    """The scanned file as uploaded, to compare with what OCR read: always a download (a
    stranger's PDF is not shown inside the application's pages)."""
    scan = _load_scan(scan_id)
    return send_file(
        io.BytesIO(scan.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=scan.filename,
    )


def _owner_choices() -> tuple[OwnerChoices, dict[int, User]]:
    users = access.owner_candidates()
    choices = owner_choices(access.owner_groups(users))
    return choices, {user.id: user for user in users}


def _review_data(report: Report) -> dict[str, object]:
    return {
        "rows": [
            {
                "task_id": task.id,
                "include": True,
                "title": task.title,
                "owners": [owner.id for owner in task.owners],
                "deadline": task.deadline,
                "deadline_text": task.deadline_text,
                "expected_result": task.expected_result,
                "method": task.method,
            }
            for task in report.tasks
        ]
    }


@bp.route("/<int:report_id>/review", methods=["GET", "POST"])
def review(report_id: int) -> ResponseReturnValue:
    report = _load_for_registry(report_id)
    if report.status is not ReportStatus.DRAFT:
        return redirect(url_for("reports.detail", report_id=report.id))
    form = ReviewForm(data=_review_data(report))
    choices, users_by_id = _owner_choices()
    form.set_owner_choices(choices)
    submitted = form.is_submitted()
    if submitted and form.validate():
        rows = _reviewed_rows(report, form, users_by_id)
        try:
            with unit_of_work():
                services.apply_review(report, current_user, rows, confirm=bool(form.confirm.data))
        except services.ReportImportError as error:
            flash(str(error), "error")
            return redirect(url_for("reports.review", report_id=report.id))
        if form.confirm.data:
            flash(_("The report is confirmed: its tasks are open."), "success")
            return redirect(url_for("reports.detail", report_id=report.id))
        if form.add.data:
            return redirect(url_for("reports.add_recommendation", report_id=report.id))
        flash(_("The draft is saved."), "success")
        return redirect(url_for("reports.review", report_id=report.id))
    tasks = list(report.tasks)
    return (
        render_template(
            "reports/review.html",
            report=report,
            form=form,
            rows=list(zip(form.rows, tasks, strict=False)),
            ocr=report.ocr,
            ocr_report_fields=_ocr_report_fields(report),
            scan=scans.scan_of_report(report) if report.ocr else None,
            # A refused form's errors, listed at the top (CSRFProtect refuses a bad token
            # before this view).
            errors=form.row_errors() if submitted else [],
        ),
        400 if submitted else 200,
    )


# The report's own fields that OCR may read with low confidence, by their labels on the page.
_OCR_REPORT_FIELDS = {
    "author_name": _l("Author"),
    "author_position": _l("Position"),
    "destination": _l("Destination"),
    "trip_start": _l("Trip"),
    "trip_end": _l("Trip"),
    "inviting_party": _l("Inviting party"),
    "signatory": _l("Signed"),
    "signed_on": _l("Signing date"),
}


def _ocr_report_fields(report: Report) -> list[str]:
    low = dict((report.ocr or {}).get("low_fields") or {})
    labels = [str(label) for key, label in _OCR_REPORT_FIELDS.items() if key in low]
    return list(dict.fromkeys(labels))


def _reviewed_rows(
    report: Report, form: ReviewForm, users_by_id: dict[int, User]
) -> list[services.ReviewedRecommendation]:
    """The form's rows as the service takes them; a row naming a task of another report is
    a forged form (400)."""
    tasks_by_id = {str(task.id): task for task in report.tasks}
    rows = []
    for row in form.rows:
        task = tasks_by_id.get(row.form.task_id.data or "")
        if task is None:
            abort(400)
        rows.append(
            services.ReviewedRecommendation(
                task=task,
                include=bool(row.form.include.data),
                title=row.form.title.data or "",
                owners=[users_by_id[i] for i in row.form.owners.data or [] if i in users_by_id],
                deadline=row.form.deadline.data,
                deadline_text=row.form.deadline_text.data,
                expected_result=row.form.expected_result.data,
                method=row.form.method.data,
            )
        )
    return rows


@bp.route("/<int:report_id>/recommendations/new", methods=["GET", "POST"])
def add_recommendation(report_id: int) -> ResponseReturnValue:
    report = _load_for_registry(report_id)
    if report.status is not ReportStatus.DRAFT:
        return redirect(url_for("reports.detail", report_id=report.id))
    form = AddRecommendationForm()
    choices, users_by_id = _owner_choices()
    form.owners.choices = choices
    submitted = form.is_submitted()
    if submitted and form.validate():
        new = services.NewRecommendation(
            title=form.title.data or "",
            owners=[users_by_id[i] for i in form.owners.data or [] if i in users_by_id],
            deadline=form.deadline.data,
            deadline_text=form.deadline_text.data,
            expected_result=form.expected_result.data,
            method=form.method.data,
        )
        try:
            with unit_of_work():
                services.add_recommendation(report, current_user, new)
        except services.ReportImportError as error:
            flash(str(error), "error")
            return redirect(url_for("reports.review", report_id=report.id))
        flash(_("The recommendation is added to the draft."), "success")
        number = len(report.tasks)
        return redirect(url_for("reports.review", report_id=report.id, _anchor=f"row-{number}"))
    return (
        render_template("reports/add_recommendation.html", report=report, form=form),
        400 if submitted else 200,
    )


@bp.route("/<int:report_id>/discard", methods=["GET", "POST"])
def discard(report_id: int) -> ResponseReturnValue:
    report = _load_for_registry(report_id)
    form = DiscardForm()
    if not form.is_submitted():
        if report.status is not ReportStatus.DRAFT:
            return redirect(url_for("reports.detail", report_id=report.id))
        # Asked first: one click on the review page must not delete the whole import.
        return render_template("reports/discard.html", report=report, form=form)
    if not form.validate():
        abort(400)
    try:
        with unit_of_work():
            services.discard_report(report, current_user)
    except services.ReportImportError as error:
        flash(str(error), "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    flash(_("The import was discarded."), "success")
    return redirect(url_for("reports.index"))


@bp.route("/<int:report_id>")
def detail(report_id: int) -> ResponseReturnValue:
    seen = access.report_for(current_user, db.get_or_404(Report, report_id))
    return render_template(
        "reports/detail.html",
        report=seen.report,
        tasks=seen.tasks,
        today=org_today(),
        is_registry=seen.is_registry,
    )
