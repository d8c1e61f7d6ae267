"""The demo company: a pure generator (`generator.generate`, built from `company`, `structure`,
`simulation`, `turnover`, `result` and `users`), its causes of leaving (`causes`), and the Django
writer (`writer`) that puts it into the database."""
