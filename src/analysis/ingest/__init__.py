"""Stage 1, ingest: read and check the hand-kept raw layer (data/raw) before anything is built.

Every problem names the file, the line, the column and the text; nothing here writes to
data/raw.
"""
