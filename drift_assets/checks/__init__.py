"""The drift check families, each a pure function of profile, baseline and policy,
and the records they conclude with."""
