"""Training and evaluation (needs the ``[train]`` extra: scikit-learn, scipy)."""
