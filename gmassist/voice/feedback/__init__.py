"""Feedback from employees: suggestions, complaints, praise and questions, named or anonymous."""
