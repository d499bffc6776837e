"""Notifications: the in-product inbox, e-mail and 企业微信/钉钉 group-robot webhooks.

Any feature tells a user something with `notify(user, kind, subject, body, link, key=...)`: the message lands in
the user's inbox at once (in the caller's transaction) and, once that transaction commits, one job delivers it to
the other channels the user chose (the job `deliver_notification`), recording each channel's delivery. The key
makes a notification happen once: a second call with the same key does nothing.
"""
from crm.notifications.services import KINDS, dispatch, notify  # noqa: F401
