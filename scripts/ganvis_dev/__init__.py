"""Development tools kept out of the runtime package: the loader fuzzer and the autoencoder
studies (used by scripts/ and the tests; `pytest` puts scripts/ on the import path)."""
