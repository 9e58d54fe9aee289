"""Course-access use cases: applying role changes, reading a learner's access, the rebuild."""
