"""Figures for the book; every function returns a matplotlib Figure (no plt.show()).

Import the module you need (``camulenet.plots.dataset``, ``.results``, ...); nothing
is imported here so that loading one plot module never pulls in the others.
"""
