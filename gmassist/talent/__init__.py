"""Talent and incentives: key people, leaving risk with reasons, pay review, incentive plans."""
