"""One module or folder per page: the queries, charts and words of that page only."""
