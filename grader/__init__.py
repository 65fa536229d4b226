"""grader: grade machine-learning notebooks."""
