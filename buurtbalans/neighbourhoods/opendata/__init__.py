"""Readers for public open data about neighbourhoods: boundaries, CBS KWB, plain tables, Leefbaarometer 3.0.

They read files and return plain dataclasses; they never touch the database. `neighbourhoods.services` writes the
result. Entry point: `reader.read_open_data(directory, municipality_code)`; docs/open-data.md describes the formats.
"""
