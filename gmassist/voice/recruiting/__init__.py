"""Recruiting contacts: agencies and headhunters, requisitions shared with them, candidates."""
