"""mytool: analyse Songjiang's half-year city-appearance satisfaction survey reports."""

__version__ = "0.1.0"
