"""Subsidy policies (政策): registry, clauses with benefit formulas and conditions, and the evaluator."""
