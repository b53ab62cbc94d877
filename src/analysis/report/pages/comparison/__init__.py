"""Page 02, comparing the localities: its data, charts and words, in the pattern of page 03
(``data``, ``charts``, ``prose``)."""
