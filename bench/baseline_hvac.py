"""Baseline: the same KV writes as a rotation, done sequentially with raw hvac in one process.

python -m bench.baseline_hvac ADDR PREFIX COUNT   (token in VAULT_TOKEN)
"""

from __future__ import annotations

import os
import secrets
import sys

import hvac


def main() -> None:
    """Write COUNT secrets, each a new version with check-and-set."""
    addr, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = hvac.Client(url=addr, token=os.environ["VAULT_TOKEN"], timeout=10)
    for i in range(count):
        client.secrets.kv.v2.create_or_update_secret(
            path=f"{prefix}/x-{i:04d}",
            secret={"username": f"brand{i}", "password": secrets.token_urlsafe(18)},
            cas=0,
            mount_point="secret",
        )


if __name__ == "__main__":
    main()
