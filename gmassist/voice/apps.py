from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "gmassist.voice"
    label = "voice"
    verbose_name = _("Feedback and surveys")
