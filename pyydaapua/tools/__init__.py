"""Command-line tools and demo data; not imported by the product code at request time."""
