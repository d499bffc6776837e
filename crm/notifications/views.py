"""The inbox (every signed-in user's own notifications) and where else to send them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import Perm, requires
from crm.core.mail import mail_configured
from crm.core.pagination import page_args, paginate
from crm.db import db
from crm.notifications import services
from crm.notifications.forms import PreferenceForm
from crm.notifications.models import Notification, NotificationDelivery

bp = Blueprint('notifications', __name__, url_prefix='/notifications')


def _mine():
    """Only the signed-in user's own notifications, whatever their role (an inbox is personal)."""
    return select(Notification).where(Notification.user_id == current_user.id)


@bp.get('/')
@requires(Perm.ACCOUNT)
def index():
    """The inbox, newest first; ?unread=1 shows only what is unread."""
    stmt = _mine()
    if request.args.get('unread') == '1':
        stmt = stmt.where(Notification.read_at.is_(None))
    page = paginate(stmt.order_by(Notification.id.desc()), *page_args(50))
    deliveries: dict[int, list] = {}
    if page.items:
        for row in db.session.scalars(select(NotificationDelivery).where(
                NotificationDelivery.notification_id.in_([n.id for n in page.items]),
                NotificationDelivery.channel != 'inbox').order_by(NotificationDelivery.channel)):
            deliveries.setdefault(row.notification_id, []).append(row)
    return render_template('notifications/index.html', page=page, kinds=services.KINDS, deliveries=deliveries,
                           unread_only=request.args.get('unread') == '1')


def _own_or_404(notification_id: int) -> Notification:
    notification = db.session.scalar(_mine().where(Notification.id == notification_id))
    if notification is None:
        abort(404)
    return notification


@bp.post('/<int:notification_id>/read')
@requires(Perm.ACCOUNT)
def read(notification_id: int):
    """Mark one notification read; with open=1, go on to what it is about."""
    notification = _own_or_404(notification_id)
    services.mark_read(current_user.id, notification.id)
    db.session.commit()
    if request.form.get('open') == '1' and notification.link and notification.link.startswith('/'):
        return redirect(notification.link)
    return redirect(url_for('notifications.index'))


@bp.post('/read-all')
@requires(Perm.ACCOUNT)
def read_all():
    """Mark every notification read."""
    count = services.mark_read(current_user.id)
    db.session.commit()
    flash(_('%(n)s notifications marked read.', n=count), 'success')
    return redirect(url_for('notifications.index'))


@bp.route('/settings', methods=['GET', 'POST'])
@requires(Perm.ACCOUNT)
def settings():
    """Where notifications go besides the inbox: e-mail, a 企业微信/钉钉 group robot."""
    pref = services.preference(current_user.id)
    form = PreferenceForm(obj=pref if request.method == 'GET' else None)
    status = 200
    if form.validate_on_submit():
        try:
            services.save_preference(current_user.id, email=form.email.data, webhook=form.webhook.data,
                                     webhook_url=form.webhook_url.data)
        except services.PreferenceError as exc:
            form.webhook_url.errors.append(str(exc))
            status = 422
        else:
            db.session.commit()
            flash(_('Notification settings saved.'), 'success')
            return redirect(url_for('notifications.settings'))
    elif request.method == 'POST':
        status = 422
    return render_template('notifications/settings.html', form=form, mail_configured=mail_configured(),
                           hosts=services.webhook_hosts()), status
