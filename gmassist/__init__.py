"""GM Assistant: prepares analyses and proposals for a company's general manager; a person decides."""

__version__ = "0.1.0"
