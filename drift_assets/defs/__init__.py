"""Everything that imports Dagster: dataset assets, checks for existing assets, check
results, the alert router sensor and its pickup, resources."""
