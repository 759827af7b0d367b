"""Figures of ebm-circles (Appendix D.2). The figures not listed in FIGURES are still drawn by the C++ plotting code (src/plot)."""
from .training import training

FIGURES = {"training": training}
