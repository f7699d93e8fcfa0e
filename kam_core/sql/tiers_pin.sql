-- Pin one client to a tier with a reason (a second pin of the same client replaces the first).
INSERT OR REPLACE INTO tier_overrides VALUES ($k, $tier, $reason, $who, now()::TIMESTAMP)
