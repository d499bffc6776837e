"""Matching a lead to platforms, units, policies and plan commitments, each with its reasons."""
