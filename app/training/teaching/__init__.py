"""Teaching: lessons, the stuck-network notes and the step-through of one step."""
