"""The workbench (home page) for each role and operational endpoints."""
