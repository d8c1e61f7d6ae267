"""The decisions endpoints of the REST API."""

from ninja import Router

router = Router(tags=["decisions"])
