"""The tasks part of the GM's office (see office/apps.py)."""
