"""The NLP stage: document text -> spaCy ``Doc`` with entity spans.

- :mod:`kg.nlp.pipeline`: the spaCy pipeline (segmenter, rule components, learned
  tagger, the merge that sets ``doc.ents``) and :func:`load_pipeline`.
- :mod:`kg.nlp.segmenter`, :mod:`kg.nlp.fast_pkuseg`: word segmentation.
- :mod:`kg.nlp.ner` (with ``ner_crf``, ``ner_lstm``, ``ner_text``): the learned taggers;
  :mod:`kg.nlp.corpora` and :mod:`kg.nlp.ner_eval` read and score annotated corpora.
- :mod:`kg.nlp.rules`: what the rules know (the division map, department names,
  jurisdiction prefixes) as candidates and canonical names.
- ``models/``: the shipped segmenter and tagger weights.
"""
