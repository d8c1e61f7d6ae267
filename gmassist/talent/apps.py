from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "gmassist.talent"
    label = "talent"
    verbose_name = "Talent and incentives"
