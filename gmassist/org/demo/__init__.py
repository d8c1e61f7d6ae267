"""The demo company: a pure generator (`generator`), its causes of leaving (`causes`), and the
Django writer (`writer`) that puts it into the database."""
