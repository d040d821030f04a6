"""Runs a Python Pulumi program (examples/python/__main__.py) as an Automation API inline program, one operation a run.

Pulumi's Python language host cannot be had on the machines that test this repository; an inline program serves the
language runtime from this process instead, while the engine, the plugin and the state stay real. The language test
(test/e2e-languages/python.test.ts) runs this once per step, looking at the scale set in between:

    python inline_example.py <program file>
    VMSS_EXAMPLE_OP      up | preview (expects no change) | destroy
    VMSS_EXAMPLE_STACK   the stack name (the backend is PULUMI_BACKEND_URL)
    VMSS_EXAMPLE_CONFIG  the stack's config as JSON: {"scaleSetId": "...", "identityIds": ["..."]}

It prints one line `VMSS_EXAMPLE_RESULT {"changes": {...}, "outputs": {...}}`.
"""

import json
import os
import runpy
import sys

from pulumi import automation as auto

PROJECT = "vmss-identity-python"


def main() -> None:
    program_file = sys.argv[1]
    op = os.environ["VMSS_EXAMPLE_OP"]
    config = json.loads(os.environ["VMSS_EXAMPLE_CONFIG"])
    stack = auto.create_or_select_stack(
        stack_name=os.environ["VMSS_EXAMPLE_STACK"],
        project_name=PROJECT,
        program=lambda: runpy.run_path(program_file, run_name="__main__"),
    )
    # The list is set element by element (`pulumi config set --path identityIds[i]`), after the old one is removed.
    if f"{PROJECT}:identityIds" in stack.get_all_config():
        stack.remove_config("identityIds")
    stack.set_config("scaleSetId", auto.ConfigValue(config["scaleSetId"]))
    for i, identity in enumerate(config["identityIds"]):
        stack.set_config(f"identityIds[{i}]", auto.ConfigValue(identity), path=True)

    if op == "up":
        res = stack.up()
        result = {
            "changes": res.summary.resource_changes,
            "outputs": {k: v.value for k, v in res.outputs.items()},
        }
    elif op == "preview":
        res = stack.preview(expect_no_changes=True)
        result = {"changes": {str(k.value if hasattr(k, "value") else k): v for k, v in res.change_summary.items()}}
    elif op == "destroy":
        res = stack.destroy()
        result = {"changes": res.summary.resource_changes}
    else:
        raise SystemExit(f"VMSS_EXAMPLE_OP is {op!r}: expected up, preview or destroy")
    print("VMSS_EXAMPLE_RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
