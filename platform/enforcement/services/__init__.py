"""Use cases: validate → act → persist → call hooks. The only writers of workflow state."""
