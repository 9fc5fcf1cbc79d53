"""The demo corporation: a synthetic town, stock, households, lettings and waiting list (`seed_demo`).

`generator` is pure Python + numpy and knows nothing of Django; `writer` turns its rows into database rows.
"""
