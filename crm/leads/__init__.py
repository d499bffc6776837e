"""Leads (招商项目): the pipeline from 线索 to 投产, follow-ups, reminders and dashboards."""
