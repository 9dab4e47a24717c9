"""Screening: the off-the-run tests and questionnaire that find the causes of valgus."""
