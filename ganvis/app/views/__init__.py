"""One widget per view: samples, D(x) histograms, curves."""
