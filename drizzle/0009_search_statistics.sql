-- Issue 15: the planner picks a search's path from the words' frequencies in the statistics of
-- the search column: a word it has not seen is estimated at half the rarest word it keeps. With
-- the default (100, i.e. 1,000 lexemes kept) a workspace's vocabulary is cut short and an unseen
-- word can look common enough to walk every action newest first looking for it (seconds, at a
-- million actions) instead of a few GIN lookups. 1,000 keeps 10,000 lexemes.
ALTER TABLE "ticket_actions" ALTER COLUMN "search" SET STATISTICS 1000;--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "search" SET STATISTICS 1000;
