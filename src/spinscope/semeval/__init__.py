"""SemEval-2023 Task 3 file formats: articles, labels, templates (I/O only; metrics are in ``spinscope.evaluation``)."""
