"""A small typed facade over hvac (the only place hvac is imported) and Vault path rules."""
