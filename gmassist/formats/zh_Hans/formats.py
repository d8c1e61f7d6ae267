"""Number formats of Simplified Chinese as the GM's office writes them: grouped by thousands
with "," ("19,900"), as core.presenters' readable values are. Django's own zh_Hans formats group
nothing, so that `intcomma` wrote "19900 CNY/年"; only the grouping is set here, every other
format (dates) stays Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
