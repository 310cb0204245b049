"""The command line: click groups, one module per group. Only this package imports click."""
