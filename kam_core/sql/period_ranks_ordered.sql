-- period_ranks' rows (the view `ranked`) in rank order within each period.
SELECT * FROM ranked ORDER BY period_start, rank
