"""Baseline: the same Vault writes as a rotation, done sequentially with raw hvac in one process.

python -m bench.baseline_hvac ADDR PREFIX COUNT [--setup | --single]   (token in VAULT_TOKEN)

``--setup`` (not timed) stores COUNT logins at version 1, as the inventory has them before
an offboarding. The timed run then does, per login, what accessguard's rotation writes:
a new version with check-and-set against version 1, and the pending state in
``custom_metadata``. ``--single`` is the earlier, cheaper baseline: one new secret per login
(check-and-set 0) and no metadata, kept as a reference row.
"""

from __future__ import annotations

import os
import secrets
import sys

import hvac


def main() -> None:
    """Run the setup, the two-write rotation loop, or the single-write loop."""
    addr, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else ""
    client = hvac.Client(url=addr, token=os.environ["VAULT_TOKEN"], timeout=10)
    kv = client.secrets.kv.v2
    for i in range(count):
        path = f"{prefix}/x-{i:04d}"
        values = {"username": f"brand{i}", "password": secrets.token_urlsafe(18)}
        if mode in ("--setup", "--single"):  # a new secret (the same write, timed or not)
            kv.create_or_update_secret(path=path, secret=values, cas=0, mount_point="secret")
        else:
            kv.create_or_update_secret(path=path, secret=values, cas=1, mount_point="secret")
            kv.update_metadata(
                path=path,
                mount_point="secret",
                custom_metadata={"state": "pending", "pending_version": "2"},
            )


if __name__ == "__main__":
    main()
