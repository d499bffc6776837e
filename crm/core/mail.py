"""Outgoing e-mail through the configured SMTP server (SMTP_HOST, SMTP_PORT, MAIL_FROM). Without SMTP_HOST nothing
is sent and callers are told so; the in-product copy (digest, inbox) is always kept."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def mail_configured() -> bool:
    return bool(current_app.config.get('SMTP_HOST'))


def send_mail(to: str, subject: str, text: str) -> bool:
    """Send a plain-text message; False when no SMTP server is configured (errors of the server are raised)."""
    host = current_app.config.get('SMTP_HOST')
    if not host:
        return False
    message = EmailMessage()
    message['Subject'] = subject
    message['From'] = current_app.config['MAIL_FROM']
    message['To'] = to
    message.set_content(text)
    with smtplib.SMTP(host, current_app.config['SMTP_PORT'], timeout=10) as smtp:
        smtp.send_message(message)
    return True
