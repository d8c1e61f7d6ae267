"""The customers endpoints of the REST API."""

from ninja import Router

router = Router(tags=["customers"])
