"""Plan-target tracking: what the plans promised against what the CRM records."""
