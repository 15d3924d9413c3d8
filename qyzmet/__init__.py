"""Qyzmet: Kazakhstan's regulated state services, delivered as their regulations prescribe."""
