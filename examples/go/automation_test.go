// Not part of the example: the language tests (test/e2e-languages/go.test.ts) run quickstart() through Pulumi's
// Automation API as an inline program, since Pulumi's Go language host cannot be had on the machines that test this
// repository. One operation a run, chosen by the environment, so that the test can look at the scale set in between:
//
//	VMSS_EXAMPLE_OP      up | preview (expects no change) | destroy
//	VMSS_EXAMPLE_STACK   the stack name (the backend is PULUMI_BACKEND_URL)
//	VMSS_EXAMPLE_CONFIG  the stack's config as JSON: {"scaleSetId": "…", "identityIds": ["…"]}
//
// It prints one line `VMSS_EXAMPLE_RESULT {"changes": {…}, "outputs": {…}}`. Without VMSS_EXAMPLE_OP it is skipped.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func TestAutomation(t *testing.T) {
	op := os.Getenv("VMSS_EXAMPLE_OP")
	if op == "" {
		t.Skip("VMSS_EXAMPLE_OP is not set: run by test/e2e-languages/go.test.ts")
	}
	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, os.Getenv("VMSS_EXAMPLE_STACK"), "vmss-identity-go", quickstart)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScaleSetID  string   `json:"scaleSetId"`
		IdentityIDs []string `json:"identityIds"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("VMSS_EXAMPLE_CONFIG")), &cfg); err != nil {
		t.Fatalf("VMSS_EXAMPLE_CONFIG: %v", err)
	}
	// The list is set element by element (`pulumi config set --path identityIds[i]`), after the old one is removed.
	current, err := stack.GetAllConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := current["vmss-identity-go:identityIds"]; ok {
		if err := stack.RemoveConfig(ctx, "identityIds"); err != nil {
			t.Fatal(err)
		}
	}
	values := auto.ConfigMap{"scaleSetId": {Value: cfg.ScaleSetID}}
	for i, id := range cfg.IdentityIDs {
		values[fmt.Sprintf("identityIds[%d]", i)] = auto.ConfigValue{Value: id}
	}
	if err := stack.SetAllConfigWithOptions(ctx, values, &auto.ConfigOptions{Path: true}); err != nil {
		t.Fatal(err)
	}

	result := map[string]any{}
	switch op {
	case "up":
		res, err := stack.Up(ctx, optup.SuppressProgress())
		if err != nil {
			t.Fatal(err)
		}
		result["changes"] = res.Summary.ResourceChanges
		outputs := map[string]any{}
		for k, v := range res.Outputs {
			outputs[k] = v.Value
		}
		result["outputs"] = outputs
	case "preview":
		res, err := stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.SuppressProgress())
		if err != nil {
			t.Fatal(err)
		}
		result["changes"] = res.ChangeSummary
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.SuppressProgress())
		if err != nil {
			t.Fatal(err)
		}
		result["changes"] = res.Summary.ResourceChanges
	default:
		t.Fatalf("VMSS_EXAMPLE_OP is %q: expected up, preview or destroy", op)
	}
	line, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("VMSS_EXAMPLE_RESULT %s\n", line)
}
