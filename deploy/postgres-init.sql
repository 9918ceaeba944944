-- The drift store's database beside Dagster's, on the same server (the store
-- creates its tables on first use).
CREATE DATABASE drift_assets OWNER dagster;
