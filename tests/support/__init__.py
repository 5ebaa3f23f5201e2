"""Plain helpers of the test suite, imported as `support.<module>` (pyproject puts tests/ on sys.path).

- `databases`: the apps and databases tests run on (the demo database built once, cloned per module);
- `demo`: the demo data set's fixed facts (regions, logins) and finders for its records;
- `factories`: new records (enterprise, equipment, plan, task, inspection, hazards, case);
- `web`: logging in, API tokens and FAB list searches as a user would make them;
- `files`: small real files (PNG);
- `answers`, `plugins`: checklist submissions and plugin declarations of the plugin tests.

Fixtures stay in the conftest.py files; nothing here is a fixture, so nothing imports a conftest.
"""
