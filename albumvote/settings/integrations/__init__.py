"""Small settings modules, one per integration, star-imported by base."""
