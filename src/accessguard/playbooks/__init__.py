"""Offboarding playbooks: schema, loader, action registry, planner, runner and run state.

A playbook (YAML) is validated into a ``Playbook``; the planner turns it and a subject
into an exact ``Plan`` (steps x items); the runner executes that plan, persisting the
intent and outcome of every item so a killed run resumes where it stopped.
"""
