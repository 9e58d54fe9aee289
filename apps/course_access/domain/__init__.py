"""Course-access domain: what a role opens, and which role event wins; plain Python."""
