"""Figures of jem-c4 (Section 4, Appendix D.1). The figures not listed in FIGURES are still drawn by the C++ plotting code (src/plot)."""
from .training import training

FIGURES = {"training": training}
