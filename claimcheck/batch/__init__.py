"""Batch auditing: many files, tables, WARCs and URLs in; a ranked table and a report per page out.

`claimcheck batch INPUT... --out DIR` (cli.py) expands the inputs into work items (inputs.py),
fetches URLs on a thread pool and audits on a process pool or a Dask cluster (engine_local.py,
engine_dask.py) with the per-item function in work.py, journals each result as it completes
(resume.py) and rebuilds the tables from the journal at the end (outputs.py).
Nothing is imported here: the command stays cheap to list in --help.
"""
