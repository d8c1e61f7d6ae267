"""Pulse surveys: eNPS and scale questions in rounds, answered anonymously; published results."""
