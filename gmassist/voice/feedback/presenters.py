"""Presentation of the feedback: the charts of the trends page, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gmassist.voice.feedback.choices import Sentiment, Topic

# the departments drawn on the negative-share chart, most negative first
CHART_DEPARTMENTS = 15


def trends_chart(trends: dict[str, Any]) -> dict[str, Any]:
    """The charts of `selectors.feedback_trends`: counts by sentiment per month and per topic,
    and the negative share (%) of the most negative departments. Labels each topic entry of
    `trends` with its name (the tables show it too)."""
    topic_labels = dict(Topic.choices)
    for entry in trends["by_topic"]:
        entry["label"] = str(topic_labels.get(entry["topic"], entry["topic"]))
    departments = trends["by_department"][:CHART_DEPARTMENTS]
    return {
        "months": trends["months"],
        "series": [
            {"key": sentiment, "label": str(label), "values": trends["by_month"][sentiment]}
            for sentiment, label in Sentiment.choices
        ],
        "topics": {
            "labels": [entry["label"] for entry in trends["by_topic"]],
            "series": [
                {
                    "key": sentiment,
                    "label": str(label),
                    "values": [e[sentiment] for e in trends["by_topic"]],
                }
                for sentiment, label in Sentiment.choices
            ],
        },
        "departments": {
            "labels": [e["department"] for e in departments],
            "values": [round(e["negative_share"] * 100, 1) for e in departments],
            "label": str(_("Negative share (%)")),
        },
    }
