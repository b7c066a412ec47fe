"""Stage 5, the study: its numbers and what each needs (``numbers``), Tables 5.1 and 5.2
(``tables``), ours beside the study's with a verdict (``scorecard``), its claims checked
(``checks``) and the scorecard's pages (``pages``). May import every stage below it
(``core`` to ``metrics``)."""
