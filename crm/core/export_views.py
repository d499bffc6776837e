"""Pages of large exports: progress, then the download; each export is seen only by the user who asked for it."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user

from crm.core import export_jobs
from crm.core.access import Perm, deny, requires
from crm.core.export_jobs import ExportJob
from crm.db import db, declare_write_intent

bp = Blueprint('exports', __name__, url_prefix='/exports')

MIMETYPES = {'csv': 'text/csv; charset=utf-8',
             'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'}


def export_response(kind: str, fmt: str):
    """The list `kind` as a CSV or XLSX download, or, past the threshold, a queued job and its page (each list's
    export route answers with this)."""
    spec = export_jobs.EXPORTS[kind]()
    if export_jobs.fits_download(spec):
        return export_jobs.download(spec, fmt)
    db.session.rollback()  # the count was a read: the job is written in a transaction that may write
    declare_write_intent(True)
    job = export_jobs.queue_job(kind, fmt, spec)
    db.session.commit()  # the worker must see the queued job
    if not export_jobs.enqueue(job):
        db.session.commit()  # the page says the queue could not be reached
    return redirect(url_for('exports.job', job_id=job.id))


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None:
        abort(404)
    if job.user_id != current_user.id:
        deny(404, 'export_job', job_id)
    return job


@bp.get('/<int:job_id>')
@requires(Perm.ACCOUNT)
def job(job_id: int):
    """A large export: its progress, then its download (or why it failed, or that its file was deleted)."""
    return render_template('exports/job.html', job=_own_job(job_id))


@bp.get('/<int:job_id>/status')
@requires(Perm.ACCOUNT)
def job_status(job_id: int):
    """The progress fragment the export page polls."""
    return render_template('exports/_status.html', job=_own_job(job_id))


@bp.get('/<int:job_id>/download')
@requires(Perm.ACCOUNT)
def download(job_id: int):
    """The finished file."""
    job = _own_job(job_id)
    if job.status != 'done' or not job.path.exists():
        abort(404)
    return send_file(job.path, mimetype=MIMETYPES[job.fmt], as_attachment=True, download_name=job.filename,
                     conditional=False, max_age=0)
