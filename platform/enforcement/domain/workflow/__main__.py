"""`python -m enforcement.domain.workflow > docs/workflow.md`"""

from enforcement.domain.workflow.markdown import render_markdown

print(render_markdown(), end="")
