"""Read-backs for people: check history, dataset summaries, trends and charts, and the
``compare`` report."""
