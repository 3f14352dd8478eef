"""Claims of Section 2 (the model), reproduced in ``book/01_model.ipynb``."""
from __future__ import annotations
