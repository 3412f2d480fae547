"""Detection: models that score genre, frames and persuasion techniques."""
