"""Reports: the findings engine, the access review and keys reports, renderers, delivery,
and review campaigns (PRODUCT.md §7)."""
