# accessguard: the minimal policy for the tool's day-to-day token.
#
# `accessguard vault bootstrap` renders this file with your settings
# ({{kv_mount}}, {{prefix}}, {{slug}}, {{totp_mount}}, {{userpass_mount}}) and writes it
# as the policy `ag-{{slug}}-tool`. Print the rendered text with
# `accessguard vault policy`. Writing policies, mounting engines and setting a group's
# policies is NOT in here: that is what the operator's admin token does once, in bootstrap.
#
# The token must not be able to give itself (or a login it makes) more than this
# policy and the account policies `ag-{{slug}}-acct-*`: every identity and userpass
# path below is limited to the names the tool makes (`ag-{{slug}}-u-<person>` for
# people's logins and entities, `ag-{{slug}}-acct-<account>` for groups) and to the
# parameters the tool sends (`allowed_parameters`: any other parameter, such as
# `policies` or `token_policies`, is refused with 403).

# Shared logins: one KV v2 secret per account under the prefix (and `_audit/` for the
# audit chain's key and checkpoints). `patch` lets a rotation write a new version (and
# mark it pending) in one round trip each.
path "{{kv_mount}}/data/{{prefix}}/*" {
  capabilities = ["create", "read", "update", "patch"]
}
path "{{kv_mount}}/metadata/{{prefix}}/*" {
  capabilities = ["read", "update", "patch", "list"]
}

# 2FA seeds in custody: keys and codes for this installation only.
path "{{totp_mount}}/keys/{{slug}}_A_*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "{{totp_mount}}/code/{{slug}}_A_*" {
  capabilities = ["read"]
}

# Step-up: each operator's own seed, `<slug>_op_<operator>`. The tool only has Vault
# check a code (`update` on code/ with `code`): nothing on keys/, so no holder of this
# token can create, overwrite, read or delete a step-up seed (the TOTP engine has no
# existence check, so any write there could replace one), and no `read` on code/, so
# none can have Vault produce an operator's code. Admins enrol seeds with the policy
# `ag-{{slug}}-stepup-enroll` that `vault bootstrap` writes.
path "{{totp_mount}}/code/{{slug}}_op_*" {
  capabilities = ["update"]
  allowed_parameters = {
    "code" = []
  }
}

# People's entities, named like their logins. Created with `metadata`, then only
# disabled or re-enabled: never `policies`.
path "identity/entity/name/ag-{{slug}}-u-*" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "metadata" = []
    "disabled" = []
  }
}

# A person's login tied to their entity. Only aliases named like the tool's logins
# (so a human's login cannot be re-pointed). Vault's ACL cannot pin `canonical_id`;
# the tool cannot read foreign entities, and Vault refuses a second alias on the
# userpass mount for an entity that already has one.
path "identity/entity-alias" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "name"           = ["ag-{{slug}}-u-*"]
    "canonical_id"   = []
    "mount_accessor" = []
  }
}

# Account groups: membership only. Their policies are set by bootstrap (admin token).
path "identity/group/name/ag-{{slug}}-acct-*" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "member_entity_ids" = []
  }
}
# Group ids to names (a list: names and sizes, not members), to find a leaver's groups.
path "identity/group/id" {
  capabilities = ["list"]
}

# People's userpass logins, only those the tool made: a password and nothing else
# (no `token_policies`, `policies`, `token_*`). Humans' own logins are out of reach.
path "auth/{{userpass_mount}}/users/ag-{{slug}}-u-*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "password" = []
  }
}
# The userpass mount accessor, for aliases.
path "sys/auth" {
  capabilities = ["read"]
}

# Revoking a leaver's tokens by their login path (needs sudo), the tool's logins only.
path "sys/leases/revoke-prefix/auth/{{userpass_mount}}/login/ag-{{slug}}-u-*" {
  capabilities = ["update", "sudo"]
}

# The tool's own token.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
