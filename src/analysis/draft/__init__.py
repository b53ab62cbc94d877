"""Drafting figures from a report's text: `python -m analysis draft`.

scan.py finds printed quantities in a line and sets aside what is not a quantity
(document numbers, dates, ages, level labels, slogans); pairing.py groups them into
figures the way the sources print them (ratios.py reads ratios, percents and bases;
pairing.py then links parts to totals); lexicon.py reads the keyword and qualifier lists
and guesses indicators; places.py finds other provinces a sentence names; draft.py turns a
text file into rows of the raw figures format.
"""
