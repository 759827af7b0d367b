"""Figures of qm9 (Section 5, Appendix E.2); its molecule grids are drawn by RDKit in C++. The figures not listed in FIGURES are still drawn by the C++ plotting code (src/plot)."""
from .training import training

FIGURES = {"training": training}
