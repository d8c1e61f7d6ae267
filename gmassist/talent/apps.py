from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "gmassist.talent"
    label = "talent"
    verbose_name = "Talent and incentives"

    def ready(self) -> None:
        # A line of an incentive plan shows the person's raise or new pay and their leaving
        # risk before and after: every page and endpoint showing one audits both reads.
        from gmassist.core.sensitive import register_sensitive_rows
        from gmassist.talent.models import IncentivePlanLine, RiskScore
        from gmassist.talent.selectors import plan_line_reads, risk_score_reads

        register_sensitive_rows(IncentivePlanLine, plan_line_reads)
        # a score shows a person's leaving risk: the worklist and its export audit it
        register_sensitive_rows(RiskScore, risk_score_reads)
        # a proposal about a person shows their leaving risk to who may read it
        from gmassist.org.selectors import register_person_evidence
        from gmassist.talent.presenters import person_risk_evidence

        register_person_evidence(person_risk_evidence)
