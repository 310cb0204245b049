"""Review campaigns: scope, decisions, and the close (a plan for the playbook engine)."""
