"""Shared logins in Vault: two-phase rotation, TOTP custody, exposure, people's Vault access."""
