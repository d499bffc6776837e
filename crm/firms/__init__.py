"""Firms (企业), their contacts and tenancies, with duplicate detection, merge, import and export."""
