"""Idempotency-Key for every POST of both APIs (Stripe's semantics): a retry never does the work twice.

Why it is safe: one request, one transaction, one connection. Before the view, the middleware
opens a transaction and takes `pg_try_advisory_xact_lock` on the key's scope (caller + key);
a second request with the key meanwhile gets 409. It then looks for a stored answer: the same
request (method, path, canonical body) gets it replayed, another request gets 422. Otherwise the
view runs on that same transaction (its unit of work in a savepoint: `connection_factory`), and
after the response is built the answer is inserted and everything commits once: domain rows,
outbox rows and the key together.

- Killed or disconnected before the commit: PostgreSQL rolls back the work and frees the lock
  with the connection, nothing is stored, and the retry does the work once.
- Killed after the commit (the answer lost on the way): the key was committed with the work, so
  the retry gets the stored answer.
- A commit whose outcome is unknown (connection lost during COMMIT) is one of the two above;
  either way the retry is right. No state is ever committed as "in flight", so nothing can stay
  stuck: the only in-flight marker is a lock that dies with its connection.
- 5xx and refusals before the work (400, 401, 403, 422) roll back and store nothing.

A stored answer is replayed before the view authenticates the request; only a request carrying the
very same credentials reaches it (the scope is their digest), and it is what that caller got already.

Views must take their connection from `middleware.connection_factory(engine)` (the sales API's
`new_uow` does): work done on another connection would commit apart from the key.
Stored answers are deleted after IDEMPOTENCY_KEY_TTL (purger.py, in every API process).
"""
