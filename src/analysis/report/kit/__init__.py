"""The chart kit every page shares: number format and tables (presentation), charts, the
offline chart display and chart data serialisation."""
