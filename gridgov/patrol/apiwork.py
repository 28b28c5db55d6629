"""The list routes of api_work under a module name without an underscore: the API's operation
ids are "<module path>_<function>" with dots as underscores, and the meta-tests find a route's
view from its operation id (gridgov/tests/test_list_filters.py), which a module named
`api_work` would defeat."""

from gridgov.patrol.api_work import list_diary, list_tasks, my_tasks, my_todo, task_stats

__all__ = ["list_diary", "list_tasks", "my_tasks", "my_todo", "task_stats"]
