"""Figures of dw4 (Section 5, Appendix E.1). The figures not listed in FIGURES are still drawn by the C++ plotting code (src/plot)."""
from .training import training

FIGURES = {"training": training}
