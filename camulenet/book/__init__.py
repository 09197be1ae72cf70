"""Page helpers: everything a chapter shows that is words, captions, styled tables or players.

Science modules return data; the sentences, captions and styled tables built from that data
live here, so the pages can change without touching what they report.
"""
