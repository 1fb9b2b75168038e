"""Small reference-data fixtures (securities, prices, risk model, strategies) for fast tests.

Filled in with the security master issue; registered as a pytest plugin by tests/conftest.py.
"""
