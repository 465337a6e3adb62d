"""The `spiegel` command: the only package that imports `pipeline`, `dashboard` and `report`.

Argument parsing and the user's terminal; the work lives in the packages it calls. `python -m cli` and
`python -m pipeline` both run it.
"""
