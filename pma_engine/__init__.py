"""The numerical and tax engine: plain Python, numpy and cvxpy, no Django.

Services in the Django apps translate models into the engine's frozen dataclasses and arrays,
call it, and store what it returns.
"""
