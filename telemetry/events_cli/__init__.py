"""`productops-events`: the registry's command line for a team's own repository and CI.

No Django import anywhere in this package: it needs only `telemetry.naming` (the linter),
the standard library and PyYAML, so a team runs it without the portal's project. Modules:
`scan` (tracking calls in source files), `config` (`.productops-events.yml`), `conventions`
(the convention from a file or the portal), `checking` (calls to findings), `reports`
(text/json/github/sarif), `baseline`, `patching` (`fix`), `definitions` (`events.yml`),
`codegen` (typed helpers), `portal` (the HTTP client), `main` (the commands) and
`pytest_plugin` (conformance of the events a test suite emits).
"""
