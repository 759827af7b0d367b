"""Figures of fashion-mnist (Section 5, Appendix E.3). The figures not listed in FIGURES are still drawn by the C++ plotting code (src/plot)."""
from .training import training

FIGURES = {"training": training}
