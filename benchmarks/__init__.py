"""Benchmarks for Pilotoversikt: `make bench` (or `python -m benchmarks --help`).

Synthetic submissions at three sizes (S = the bundled sample, M, L) are generated into
benchmarks/work/ (gitignored, cached between runs), imported, and measured: import against
the parse floor, each page in AppTest, the overview and a filter change in Chromium, and the
server's peak memory. Results go to benchmarks/results.json and a table on stdout.
"""
