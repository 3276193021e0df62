"""Storage: the one owner of the index folder.

* ``manifest``: which commit is current, what it holds, compatibility, damage reports;
* ``schema``: the Whoosh schema (one Whoosh document per passage);
* ``segment``, ``grams``, ``arrays``: a segment's side file (n-gram postings, text, locations,
  document metadata), written once with its Whoosh segment;
* ``build``: writing new segments (in worker processes for large updates);
* ``merge``: the tiered merge policy and merging;
* ``writer``: an update from start to commit (the only writer; it holds Whoosh's lock);
* ``reader`` and ``view``: the last commit, read as one globally numbered index;
* ``faults``: deterministic fault injection for the crash tests.
"""
