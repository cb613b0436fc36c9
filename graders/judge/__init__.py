"""The trusted judge: hidden pytest suites that call into sandboxed workers and never import submission code."""

from graders.judge.remote import Cell, Remote

__all__ = ["Cell", "Remote"]
