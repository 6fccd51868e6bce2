"""Readers and writers: Ossa-style folders, long-format tables (CSV, Parquet, Stata), any data set by name."""

from tariffsim.io.detect import read_world
from tariffsim.io.long import read_long, read_long_folder
from tariffsim.io.ossa import read_ossa
from tariffsim.io.write import write_long

__all__ = ["read_ossa", "read_long", "read_long_folder", "read_world", "write_long"]
