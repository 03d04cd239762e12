"""Accessibility indicators, coverage gaps with reasons and siting suggestions.

Imports ``geo`` only; results are written to analysis tables that ``layers`` publishes.
"""
