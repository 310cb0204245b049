"""A manual task: always waits until a person confirms it with evidence."""

from __future__ import annotations

from accessguard.playbooks.context import ActionContext
from accessguard.results import ActionResult


def manual(ctx: ActionContext) -> ActionResult:
    """Produce the checklist entry; `runs confirm` completes it."""
    title = ctx.render(str(ctx.step.args["title"]))
    instructions = ctx.render(str(ctx.step.args["instructions"]))
    if ctx.item.id != "subject":
        title = f"{title}: {ctx.item.label}"
    return ActionResult.waiting(title, instructions)
