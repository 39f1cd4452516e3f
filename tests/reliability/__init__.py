"""Real server processes under races, crashes, shutdowns and database loss.

`make test` runs each once; `make reliability` runs each RELIABILITY_ROUNDS times (10 by default).
"""
