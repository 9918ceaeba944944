"""Tests of the alert router, its outbox, delivery and sensor."""
