"""SemEval-2023 Task 3 file formats and official scoring."""
