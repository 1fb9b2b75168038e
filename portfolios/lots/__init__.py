"""Tax lots (issue 5): holdings import, lot accounting through the tax engine, trades, the
realized-gains report. See docs/lots.md."""
