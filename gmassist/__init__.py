"""GM Assistant: prepares analyses and proposals for a general manager; a person decides."""

__version__ = "0.1.0"
