"""The course platform's side of access: which users may enter the platform and which courses'
videos each may watch, kept from the access service's role events (consumer `course-access`).

`python -m apps.course_access show EMAIL | rebuild` (cli.py)."""
