"""Reading and checking the raw layer, and the reference tables it is checked against."""
