"""The arena: pairwise preferences between tracks of one batch.

bradley_terry fits strengths (with bootstrap confidence intervals) from the votes; pairs picks
the next pair where one more vote shrinks the uncertainty most. Both are plain numpy, with no
Django, so the simulation in bench/arena.py runs the same code as the site.
"""
