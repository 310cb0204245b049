# accessguard: the minimal policy for the tool's day-to-day token.
#
# `accessguard vault bootstrap` renders this file with your settings
# ({{kv_mount}}, {{prefix}}, {{slug}}, {{totp_mount}}, {{userpass_mount}}) and writes it
# as the policy `ag-{{slug}}-tool`. Print the rendered text with
# `accessguard vault policy`. Writing policies, mounting engines and creating groups
# is NOT in here: that is what the operator's admin token does once, in bootstrap.

# Shared logins: one KV v2 secret per account under the prefix. `patch` lets a
# rotation write a new version (and mark it pending) in one round trip each.
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

# Step-up: each operator's own seed, `<slug>_op_<operator>`. Enrolment has Vault
# generate it (the TOTP engine has no existence check, so that write needs `update`);
# `read` on keys/ shows its settings, never the seed. On code/ only `update`, which is
# Vault checking a code (POST code=...): no `read`, so no holder of this token can
# have Vault produce an operator's code. No `delete`: replacing a seed is an admin's job.
path "{{totp_mount}}/keys/{{slug}}_op_*" {
  capabilities = ["create", "read", "update"]
}
path "{{totp_mount}}/code/{{slug}}_op_*" {
  capabilities = ["update"]
}

# People's own Vault access: entities, their userpass aliases, account groups.
path "identity/entity" {
  capabilities = ["create", "update"]
}
path "identity/entity/name/*" {
  capabilities = ["create", "read", "update"]
}
path "identity/entity/id/*" {
  capabilities = ["read", "update"]
}
path "identity/entity-alias" {
  capabilities = ["create", "update"]
}
path "identity/group/id/*" {
  capabilities = ["read"]
}
path "identity/group/name/ag-{{slug}}-acct-*" {
  capabilities = ["read", "update"]
}
path "auth/{{userpass_mount}}/users/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "sys/auth" {
  capabilities = ["read"]
}

# Revoking a leaver's tokens by their login path (needs sudo).
path "sys/leases/revoke-prefix/auth/{{userpass_mount}}/login/*" {
  capabilities = ["update", "sudo"]
}

# The tool's own token.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
