"""扫码验真 (public verification of a finalized document) and equipment labels."""
