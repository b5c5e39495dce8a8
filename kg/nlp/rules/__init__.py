"""Rule families that find entity candidates in a document's text.

Each family reads the text (and the spans found by the families before it) and
returns character-offset candidates; kg.nlp.pipeline wraps them as spaCy components
and kg.nlp.rules.merge picks the final, non-overlapping entity spans.
"""
