"""Built-in playbook actions, one module per kind of side effect; each is idempotent."""
