"""Output formats: each reads a Report (or a list of them) and writes one format."""
